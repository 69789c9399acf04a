/** /docs: a readable API reference rendered on the server from the OpenAPI document (no external assets). */
import type { FC } from 'hono/jsx';

type Json = Record<string, unknown>;
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  requestBody?: { content?: Record<string, { schema?: Json }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Json }> }>;
  parameters?: { name: string; in: string; required?: boolean; description?: string }[];
}

const schemaName = (s?: Json): string => {
  if (!s) return '';
  if (typeof s.$ref === 'string') return s.$ref.replace('#/components/schemas/', '');
  if (s.type === 'array') return `${schemaName(s.items as Json)}[]`;
  return String(s.type ?? 'object');
};

const Props: FC<{ schema: Json; all: Record<string, Json> }> = ({ schema, all }) => {
  const props = (schema.properties ?? {}) as Record<string, Json>;
  const required = new Set((schema.required ?? []) as string[]);
  return (
    <table>
      <tr><th>field</th><th>type</th><th>required</th><th>description</th></tr>
      {Object.entries(props).map(([k, v]) => (
        <tr>
          <td><code>{k}</code></td>
          <td>{schemaName(v)}{Array.isArray(v.enum) ? `: ${(v.enum as string[]).join(' | ')}` : ''}</td>
          <td>{required.has(k) ? 'yes' : ''}</td>
          <td>{String(v.description ?? (v.$ref ? '' : ''))}{v.$ref && all[schemaName(v)] ? <a href={`#schema-${schemaName(v)}`}> → {schemaName(v)}</a> : ''}</td>
        </tr>
      ))}
    </table>
  );
};

export const DocsPage: FC<{ doc: Json }> = ({ doc }) => {
  const info = doc.info as { title: string; version: string; description?: string };
  const paths = doc.paths as Record<string, Record<string, Operation>>;
  const schemas = ((doc.components as Json | undefined)?.schemas ?? {}) as Record<string, Json>;
  return (
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <title>{info.title} · API 参考 (API reference)</title>
        <style>{`body{font:15px/1.5 system-ui,'Noto Sans CJK SC',sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
code,pre{font-family:ui-monospace,monospace;background:#f4f4f4;padding:0 .2em}pre{padding:.6em;white-space:pre-wrap}
h2{border-bottom:1px solid #ddd;margin-top:2.5rem}.m{display:inline-block;min-width:4em;font-weight:bold;text-transform:uppercase}
table{border-collapse:collapse;width:100%;margin:.5em 0}td,th{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}`}</style>
      </head>
      <body>
        <h1>{info.title} <small>v{info.version}</small></h1>
        <p>{info.description}</p>
        <p>机器可读文档 (machine-readable): <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1) · 公钥 (keys): <a href="/.well-known/jwks.json">/.well-known/jwks.json</a></p>
        <h2>接口 (Endpoints)</h2>
        {Object.entries(paths).flatMap(([path, ops]) =>
          Object.entries(ops).map(([method, op]) => (
            <section>
              <h3><span class="m">{method}</span> <code>{path}</code></h3>
              <p><b>{op.summary}</b></p>
              {op.description ? <pre>{op.description}</pre> : ''}
              {op.requestBody?.content ? (
                <p>请求体 (request body): {Object.entries(op.requestBody.content).map(([t, c]) => <span><code>{t}</code> {schemaName(c.schema)} </span>)}</p>
              ) : ''}
              <table>
                <tr><th>status</th><th>description</th><th>content</th></tr>
                {Object.entries(op.responses ?? {}).map(([s, r]) => (
                  <tr><td>{s}</td><td>{r.description}</td><td>{Object.entries(r.content ?? {}).map(([t, c]) => <span><code>{t}</code> {schemaName(c.schema)}</span>)}</td></tr>
                ))}
              </table>
            </section>
          )),
        )}
        <h2>数据结构 (Schemas)</h2>
        {Object.entries(schemas).map(([name, s]) => (
          <section id={`schema-${name}`}>
            <h3>{name}</h3>
            {s.description ? <p>{String(s.description)}</p> : ''}
            <Props schema={s} all={schemas} />
          </section>
        ))}
      </body>
    </html>
  );
};
