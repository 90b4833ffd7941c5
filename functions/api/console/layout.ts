/**
 * The frame of every console page: the same head as the review pages (one stylesheet, allowed by
 * its hash; no script), a bar with the sections the caller's roles open, who is signed in and a
 * sign-out form. Server-rendered with Hono's html template, which escapes every value.
 */
import { html } from 'hono/html';
import type { Caller } from '../../auth/caller.js';
import { hasRole } from '../../auth/caller.js';
import type { Role } from '../../auth/roles.js';
import { pageStyle } from '../routes/page-style.js';
import { signOutForm } from '../routes/sign-in-pages.js';

export type ConsoleSection = 'dashboard' | 'runs' | 'queue' | 'audit';

const SECTIONS: { id: ConsoleSection; label: string; href: string; roles?: readonly Role[] }[] = [
  { id: 'dashboard', label: 'Dashboard', href: '/console/dashboard' },
  { id: 'runs', label: 'Runs', href: '/console/runs' },
  { id: 'queue', label: 'Human queue', href: '/console/runs?status=needs_human' },
  { id: 'audit', label: 'Audit trail', href: '/console/audit', roles: ['admin', 'auditor'] },
];

export function consoleLayout(title: string, caller: Caller, active: ConsoleSection | undefined, body: unknown) {
  const sections = SECTIONS.filter((s) => hasRole(caller, ...(s.roles ?? ['admin', 'auditor', 'author'])));
  return html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><title>${title} · Handrail</title>${pageStyle}</head>
<body class="console"><nav class="bar" aria-label="Console"><span class="brand">Handrail</span>${sections.map((s) =>
    s.id === active ? html`<a href="${s.href}" aria-current="page">${s.label}</a>` : html`<a href="${s.href}">${s.label}</a>`,
  )}<span class="who">${caller.id} · ${caller.roles.join(', ')}</span>${signOutForm('/console/runs')}</nav>
<main>${body}</main></body></html>`;
}

/** A status as a coloured badge (the class carries the colour; the text says it). */
export function badge(status: string) {
  return html`<span class="badge s-${status}">${status.replace(/_/g, ' ')}</span>`;
}

/** A time people read (UTC, to the second), with the exact ISO time in a tooltip. */
export function when(iso: string | undefined) {
  if (!iso) return '';
  return html`<time datetime="${iso}" title="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** JSON, indented, in a collapsed block. */
export function jsonBlock(label: string, value: unknown, open = false) {
  if (value === undefined) return '';
  const text = JSON.stringify(value, null, 2);
  return open
    ? html`<details open><summary>${label}</summary><pre class="json">${text}</pre></details>`
    : html`<details><summary>${label}</summary><pre class="json">${text}</pre></details>`;
}
