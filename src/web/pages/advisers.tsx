/**
 * 法律顾问团队库 (Q 一(三)): the region's roster of legal advisers, from which agencies choose agents for an appearance.
 * The justice bureau keeps it (add, correct, retire, restore); units and the government office read the active list.
 */
import type { FC } from 'hono/jsx';
import type { Adviser } from '../../services/advisers.js';
import { FilterSelect, Flash, ListTable } from './list.js';

const AddForm: FC<{ region: string }> = ({ region }) => (
  <form method="post" action="/web/advisers" class="act card" aria-labelledby="adv-add-h">
    <h2 id="adv-add-h">添加法律顾问</h2>
    <input type="hidden" name="region" value={region} />
    <label for="adv-name">
      姓名
      <input type="text" id="adv-name" name="name" required maxlength={100} autocomplete="off" />
    </label>
    <label for="adv-org">
      执业机构（律师事务所或单位）
      <input type="text" id="adv-org" name="organisation" required maxlength={200} autocomplete="off" />
    </label>
    <button type="submit" class="primary">
      添加
    </button>
  </form>
);

const EditForm: FC<{ a: Adviser; region: string }> = ({ a, region }) => (
  <details class="form">
    <summary>修改</summary>
    <form method="post" action={`/web/advisers/${a.id}`} class="act" aria-label={`修改 ${a.name} 的信息`}>
      <input type="hidden" name="region" value={region} />
      <label for={`adv-name-${a.id}`}>
        姓名
        <input type="text" id={`adv-name-${a.id}`} name="name" required maxlength={100} value={a.name} autocomplete="off" />
      </label>
      <label for={`adv-org-${a.id}`}>
        执业机构
        <input type="text" id={`adv-org-${a.id}`} name="organisation" required maxlength={200} value={a.organisation} autocomplete="off" />
      </label>
      <button type="submit">保存</button>
    </form>
  </details>
);

const ActiveForm: FC<{ a: Adviser; region: string }> = ({ a, region }) => (
  <form method="post" action={`/web/advisers/${a.id}/${a.active ? 'retire' : 'restore'}`}>
    <input type="hidden" name="region" value={region} />
    <button type="submit" aria-label={`${a.active ? '移出团队库' : '恢复入库'}：${a.name}`}>
      {a.active ? '移出团队库' : '恢复入库'}
    </button>
  </form>
);

export const AdvisersPage: FC<{
  advisers: readonly Adviser[];
  region: string;
  regionName: string;
  canKeep: boolean;
  regions?: { code: string; name: string }[] | undefined;
  flash?: string | undefined;
}> = ({ advisers, region, regionName, canKeep, regions, flash }) => {
  const active = advisers.filter((a) => a.active);
  const retired = advisers.filter((a) => !a.active);
  return (
    <>
      <h1>法律顾问团队库</h1>
      <p class="muted">
        {regionName} · 司法局选拔精通行政诉讼业务的律师组成法律顾问团队，为各行政机关行政应诉提供委托代理人选参考；出庭应诉时可从本库中选择法律顾问作为代理人。
        {canKeep ? '移出团队库的顾问不再可选，已有的出庭记录不受影响。' : ''}
      </p>
      <Flash text={flash} />
      {regions ? (
        <form method="get" action="/web/advisers" class="filters" aria-label="选择区域">
          <FilterSelect
            id="adv-region"
            name="region"
            label="区域"
            options={regions.map((r) => ({ value: r.code, label: r.name }))}
            selected={region}
            all={false}
          />
          <button type="submit">查看</button>
        </form>
      ) : null}
      <h2>在库顾问（{active.length} 人）</h2>
      <ListTable
        rows={active}
        testid="advisers"
        empty="团队库中还没有法律顾问。"
        rowAttrs={(a) => ({ 'data-adviser': a.name })}
        columns={[
          { label: '姓名', cell: (a) => a.name },
          { label: '执业机构', cell: (a) => a.organisation },
          canKeep && {
            label: '操作',
            cell: (a) => (
              <>
                <EditForm a={a} region={region} />
                <ActiveForm a={a} region={region} />
              </>
            ),
          },
        ]}
      />
      {canKeep ? (
        <>
          <AddForm region={region} />
          {retired.length ? (
            <>
              <h2>已移出（{retired.length} 人）</h2>
              <ListTable
                rows={retired}
                testid="advisers-retired"
                empty=""
                rowAttrs={(a) => ({ 'data-adviser': a.name })}
                columns={[
                  { label: '姓名', cell: (a) => a.name },
                  { label: '执业机构', cell: (a) => a.organisation },
                  { label: '操作', cell: (a) => <ActiveForm a={a} region={region} /> },
                ]}
              />
            </>
          ) : null}
        </>
      ) : null}
    </>
  );
};
