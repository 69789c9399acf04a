/**
 * The pieces every list page is made of (cases, filings, suggestions): a filter that offers a code's Chinese
 * labels, and a table that stacks into labelled rows on a phone (class "rt"), with its empty state and the
 * link to the next page.
 */
import type { Child, FC } from 'hono/jsx';

/** A <select> of a filter form: "全部", then each code by its label; the chosen one stays selected. */
export const FilterSelect: FC<{
  id: string;
  name: string;
  label: string;
  options: Record<string, string> | readonly { value: string; label: string }[];
  selected?: string | undefined;
  /** Offer "全部" (no filter) first; false where one value must be chosen. */
  all?: boolean;
}> = ({ id, name, label, options, selected, all = true }) => {
  const list = Array.isArray(options)
    ? (options as readonly { value: string; label: string }[])
    : Object.entries(options).map(([value, l]) => ({ value, label: l }));
  return (
    <label for={id}>
      {label}
      <select id={id} name={name}>
        {all ? <option value="">全部</option> : null}
        {list.map((o) => (
          <option value={o.value} selected={selected === o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
};

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
}

/** A list as a table (one row per item, each cell labelled for the stacked phone layout), or its empty state. */
export function ListTable<T>({
  rows,
  columns,
  testid,
  empty,
  rowAttrs,
  next,
}: {
  rows: readonly T[];
  columns: readonly (Column<T> | false | null | undefined)[];
  testid: string;
  empty: string;
  rowAttrs?: (row: T) => Record<string, string>;
  next?: string | undefined;
}) {
  const cols = columns.filter((c): c is Column<T> => !!c);
  return (
    <>
      {rows.length === 0 ? (
        <p class="empty" data-testid={`${testid}-empty`}>
          {empty}
        </p>
      ) : (
        <table class="rt" data-testid={testid}>
          <thead>
            <tr>
              {cols.map((c) => (
                <th>{c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr {...(rowAttrs?.(r) ?? {})}>
                {cols.map((c) => (
                  <td data-label={c.label}>{c.cell(r)}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next ? (
        <p>
          <a href={next}>下一页 →</a>
        </p>
      ) : null}
    </>
  );
}

/** What the last action did, read out by screen readers (role=status); nothing when there is nothing to say. */
export const Flash: FC<{ text?: string | undefined }> = ({ text }) =>
  text ? (
    <p class="flash" role="status" data-testid="flash">
      {text}
    </p>
  ) : null;
