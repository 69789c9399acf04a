/**
 * The pages' one script (issue 23): progress for uploads and long exports. It is served from this origin
 * (`script-src 'self'`, never inline) under a name that carries its content hash, so a browser may keep it;
 * every page works without it (the forms post as they would), and with it:
 *
 * - a form that carries files (multipart) is sent by XMLHttpRequest, with a labelled <progress> that shows the
 *   share uploaded and a status line read out by screen readers; the page it leads to is then opened;
 * - a form or link marked `data-busy` (ledger, reports, meeting packs) shows "正在生成…" until its page opens,
 *   and a form marked `data-download` fetches its file with that busy state and hands it to the browser.
 */
import { sha256HexSync } from '../../lib/encoding.js';

export const WORKBENCH_JS = String.raw`(function () {
  'use strict';
  function status(host, cls) {
    var s = host.querySelector('.' + cls);
    if (!s) {
      s = document.createElement('p');
      s.className = cls + ' muted';
      s.setAttribute('role', 'status');
      s.setAttribute('aria-live', 'polite');
      host.appendChild(s);
    }
    s.hidden = false;
    return s;
  }
  function buttons(form, disabled) {
    var bs = form.querySelectorAll('button[type=submit], input[type=submit]');
    for (var i = 0; i < bs.length; i++) bs[i].disabled = disabled;
  }
  function showPage(html) {
    // An error page (4xx) in place of this one, as a plain post would show it.
    var doc = new DOMParser().parseFromString(html, 'text/html');
    document.replaceChild(document.adoptNode(doc.documentElement), document.documentElement);
  }

  // ── Uploads: a labelled <progress> while the files are sent ───────────────────────────────────────────
  function uploadBox(form) {
    var box = form.querySelector('.upload-progress');
    if (box) return box;
    var id = 'up-' + Math.random().toString(36).slice(2, 10);
    box = document.createElement('div');
    box.className = 'upload-progress';
    var label = document.createElement('label');
    label.setAttribute('for', id);
    label.textContent = '上传进度';
    var bar = document.createElement('progress');
    bar.id = id;
    bar.className = 'progress';
    bar.max = 100;
    bar.value = 0;
    label.appendChild(bar);
    box.appendChild(label);
    // Just above the submit button (or its paragraph), where the person is looking.
    var submit = form.querySelector('button[type=submit]');
    var before = submit ? (submit.parentNode === form ? submit : submit.parentNode) : null;
    if (before) form.insertBefore(box, before);
    else form.appendChild(box);
    return box;
  }
  function upload(form, ev) {
    if (!window.XMLHttpRequest || !window.FormData || !window.DOMParser) return;
    ev.preventDefault();
    var data;
    try { data = new FormData(form, ev.submitter || undefined); } catch (e) { data = new FormData(form); }
    var box = uploadBox(form);
    var bar = box.querySelector('progress');
    var note = status(box, 'upload-status');
    function set(p) {
      bar.value = p;
      bar.setAttribute('data-progress', String(p));
      note.textContent = p < 100 ? '已上传 ' + p + '%' : '上传完成，正在保存…';
    }
    set(0);
    buttons(form, true);
    form.setAttribute('aria-busy', 'true');
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.action);
    xhr.upload.onprogress = function (e) { if (e.lengthComputable && e.total > 0) set(Math.min(100, Math.round((e.loaded / e.total) * 100))); };
    xhr.upload.onload = function () { set(100); };
    xhr.onload = function () {
      if (xhr.status < 400 && xhr.responseURL) { location.assign(xhr.responseURL); return; }
      showPage(xhr.responseText);
    };
    xhr.onerror = function () {
      buttons(form, false);
      form.removeAttribute('aria-busy');
      note.textContent = '上传失败：网络连接中断，请重试。';
    };
    xhr.send(data);
  }

  // ── Exports: "正在生成…" until the file or the page arrives ─────────────────────────────────────────────
  function filename(res, fallback) {
    var cd = res.headers.get('content-disposition') || '';
    var m = /filename\*=UTF-8''([^;]+)/i.exec(cd);
    return m ? decodeURIComponent(m[1]) : fallback;
  }
  function download(form, ev) {
    if (!window.fetch || !window.URL || !URL.createObjectURL) return;
    ev.preventDefault();
    var params = new URLSearchParams(new FormData(form));
    var url = form.action + (form.action.indexOf('?') < 0 ? '?' : '&') + params.toString();
    var note = status(form.parentNode, 'busy-status');
    note.textContent = '正在生成…';
    buttons(form, true);
    form.setAttribute('aria-busy', 'true');
    function done(text) {
      buttons(form, false);
      form.removeAttribute('aria-busy');
      note.textContent = text;
    }
    fetch(url, { credentials: 'same-origin' }).then(function (res) {
      var cd = res.headers.get('content-disposition') || '';
      // Not a file (a refusal, a signed-out session): open it as a page, as the plain form would.
      if (!res.ok || cd.indexOf('attachment') < 0) { location.assign(url); return; }
      return res.blob().then(function (blob) {
        var a = document.createElement('a');
        a.href = URL.createObjectURL(blob);
        a.download = filename(res, 'download');
        document.body.appendChild(a);
        a.click();
        a.remove();
        setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
        done('已生成，开始下载：' + a.download);
      });
    }).catch(function () { done('生成失败：网络连接中断，请重试。'); });
  }
  function busy(el) {
    var host = el.parentNode;
    status(host, 'busy-status').textContent = '正在生成…';
    el.setAttribute('aria-busy', 'true');
    if (el.tagName === 'FORM') setTimeout(function () { buttons(el, true); }, 0);
  }

  document.addEventListener('submit', function (ev) {
    var form = ev.target;
    if (!(form instanceof HTMLFormElement) || ev.defaultPrevented) return;
    if ((form.getAttribute('enctype') || '').toLowerCase() === 'multipart/form-data' && (form.method || '').toLowerCase() === 'post') return upload(form, ev);
    if (form.hasAttribute('data-download')) return download(form, ev);
    if (form.hasAttribute('data-busy')) busy(form);
  });
  document.addEventListener('click', function (ev) {
    var a = ev.target instanceof Element ? ev.target.closest('a[data-busy]') : null;
    if (a && !ev.defaultPrevented && ev.button === 0 && !ev.ctrlKey && !ev.metaKey && !ev.shiftKey) busy(a);
  });
  // Back from a page that was still loading: nothing is busy any more.
  window.addEventListener('pageshow', function () {
    var xs = document.querySelectorAll('[aria-busy=true]');
    for (var i = 0; i < xs.length; i++) { xs[i].removeAttribute('aria-busy'); if (xs[i].tagName === 'FORM') buttons(xs[i], false); }
    var ss = document.querySelectorAll('.busy-status');
    for (var j = 0; j < ss.length; j++) ss[j].hidden = true;
  });
})();
`;

/** The script's address: its content hash in the name, so a new version is a new address. */
export const WORKBENCH_JS_PATH = `/web/assets/workbench-${sha256HexSync(WORKBENCH_JS).slice(0, 16)}.js`;
