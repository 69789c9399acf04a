/** Sign-in: the client's id and secret (the same credentials as the API), and the person acting. */
import type { FC } from 'hono/jsx';
import { Page } from '../layout.js';

export const LoginPage: FC<{ next: string; error?: string | undefined; expired?: boolean; signedOut?: boolean; clientId?: string; person?: string }> = ({
  next,
  error,
  expired,
  signedOut,
  clientId,
  person,
}) => (
  <Page title="登录">
    <div class="login card">
      <h1>登录</h1>
      {expired ? (
        <p class="flash error" data-testid="expired">
          登录已过期，请重新登录。
        </p>
      ) : null}
      {signedOut ? <p class="flash">已安全退出。</p> : null}
      {error ? (
        <p class="flash error" role="alert" data-testid="login-error">
          {error}
        </p>
      ) : null}
      <form method="post" action="/web/login">
        <input type="hidden" name="next" value={next} />
        <label for="client_id">账号</label>
        <input type="text" id="client_id" name="client_id" required autocomplete="username" value={clientId ?? ''} />
        <label for="client_secret">密钥</label>
        <input type="password" id="client_secret" name="client_secret" required autocomplete="current-password" />
        <label for="person">
          经办人姓名 <small class="muted">（记入审计日志，可不填）</small>
        </label>
        <input type="text" id="person" name="person" maxlength={50} value={person ?? ''} />
        <p>
          <button type="submit" class="primary">
            登录
          </button>
        </p>
      </form>
      <p class="muted">账号和密钥由本系统管理员发放；忘记密钥或账号被停用时，请联系管理员。</p>
    </div>
  </Page>
);
