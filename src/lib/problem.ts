/**
 * One error type for every refusal, rendered once as RFC 9457 application/problem+json (src/http/problem.ts).
 * Each problem has a stable `type` (urn:fuyuan:problem:<slug>), a status, a Chinese and English title,
 * and a `detail` telling the caller what to fix.
 */
import { InvalidInput } from '../domain/invalid-input.js';

export { InvalidInput };

export const PROBLEMS = {
  'bad-request': { status: 400, zh: '请求格式错误', en: 'Malformed request' },
  'unsupported-media-type': { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  'headers-too-large': { status: 431, zh: '请求头过大', en: 'Request header fields too large' },
  'expectation-failed': { status: 417, zh: '不支持的 Expect 请求头', en: 'Expectation not supported' },
  'request-timeout': { status: 408, zh: '请求超时', en: 'Request timeout' },
  'payload-too-large': { status: 413, zh: '请求体过大', en: 'Request body too large' },
  'malformed-envelope': { status: 400, zh: '信封格式错误', en: 'Malformed envelope' },
  'hostile-xml': { status: 400, zh: 'XML含有不允许的构造（DTD、实体或处理指令）', en: 'XML with a DTD, entities or processing instructions' },
  'xml-limit-exceeded': { status: 400, zh: 'XML超出结构限制', en: 'XML exceeds a structural limit' },
  'bad-encoding': { status: 400, zh: '字符编码错误或不受支持', en: 'Character encoding wrong or not accepted' },
  'invalid-manifest': { status: 422, zh: '清单不符合规范', en: 'Manifest does not match the schema' },
  'unsupported-algorithm': { status: 400, zh: '不允许的签名算法', en: 'Signature algorithm not allowed' },
  'missing-certificate-chain': { status: 400, zh: '缺少签名证书链', en: 'Signer certificate chain missing' },
  'unknown-sender': { status: 403, zh: '未登记的发送方', en: 'Sender not registered' },
  'untrusted-certificate': { status: 403, zh: '证书链不受信任', en: 'Certificate chain not trusted for this sender' },
  'certificate-not-valid': { status: 403, zh: '证书不在有效期内', en: 'Certificate outside its validity period' },
  'certificate-usage': { status: 403, zh: '证书不可用于签名', en: 'Certificate may not sign' },
  'bad-signature': { status: 403, zh: '签名验证失败', en: 'Signature does not verify' },
  'certificate-revoked': { status: 403, zh: '证书已被吊销', en: 'Certificate revoked before the signing time' },
  'revocation-unknown': { status: 403, zh: '无法确认证书吊销状态', en: 'No fresh revocation status for the certificate' },
  'attachment-missing': { status: 422, zh: '附件缺失', en: 'Attachment missing' },
  'attachment-mismatch': { status: 422, zh: '附件与清单不符', en: 'Attachment does not match the manifest' },
  'stale-message': { status: 422, zh: '签发时间超出允许范围', en: 'issuedAt outside the accepted window' },
  'case-of-another-sender': { status: 403, zh: '案件不属于本发送方', en: 'The case belongs to another sender' },
  'message-id-conflict': { status: 409, zh: '消息编号已用于不同内容', en: 'messageId already used with other content' },
  'invalid-policy': { status: 422, zh: '政策配置不合规', en: 'Policy does not validate' },
  'invalid-directory': { status: 422, zh: '单位名录不合规', en: 'Directory does not validate' },
  'invalid-client': { status: 401, zh: '客户端认证失败', en: 'Client authentication failed' },
  'unsupported-grant-type': { status: 400, zh: '不支持的授权类型', en: 'Unsupported grant type' },
  unauthorized: { status: 401, zh: '未认证', en: 'Authentication required' },
  forbidden: { status: 403, zh: '无权操作', en: 'Not allowed' },
  'too-many-requests': { status: 429, zh: '失败次数过多，请稍后再试', en: 'Too many failed attempts' },
  'too-many-in-progress': { status: 429, zh: '来自同一地址的请求过多，请稍后重发', en: 'Too many requests in progress from this address' },
  'outside-region': { status: 422, zh: '承办单位不在案件所属区域', en: "Unit outside the case's region" },
  'service-misconfigured': { status: 503, zh: '服务配置错误', en: 'Service misconfigured' },
  'not-found': { status: 404, zh: '未找到', en: 'Not found' },
  conflict: { status: 409, zh: '冲突', en: 'Conflict' },
  // Faults of the gateway itself (src/lib/faults.ts, src/http/admission.ts): each with Retry-After; nothing was stored.
  'storage-full': { status: 507, zh: '存储空间已满', en: 'Storage full' },
  'storage-read-only': { status: 503, zh: '数据库暂时只读', en: 'Database read-only' },
  'database-busy': { status: 503, zh: '数据库繁忙', en: 'Database busy' },
  'storage-unavailable': { status: 503, zh: '存储暂不可用', en: 'Storage unavailable' },
  overloaded: { status: 503, zh: '网关繁忙，请稍后重发', en: 'Gateway overloaded' },
  'shutting-down': { status: 503, zh: '网关正在停止', en: 'Gateway shutting down' },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ProblemSlug = keyof typeof PROBLEMS;

export class Problem extends Error {
  readonly slug: ProblemSlug;
  readonly status: number;
  readonly extra: Record<string, unknown>;
  constructor(slug: ProblemSlug, detail: string, extra: Record<string, unknown> = {}) {
    super(detail);
    this.slug = slug;
    this.status = PROBLEMS[slug].status;
    this.extra = extra;
  }

  toJSON(instance?: string): Record<string, unknown> {
    const p = PROBLEMS[this.slug];
    return {
      type: problemType(this.slug),
      title: `${p.zh} (${p.en})`,
      titleZh: p.zh,
      titleEn: p.en,
      status: this.status,
      detail: this.message,
      ...(instance ? { instance } : {}),
      ...this.extra,
    };
  }
}

export const problemType = (slug: ProblemSlug): string => `urn:fuyuan:problem:${slug}`;

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
