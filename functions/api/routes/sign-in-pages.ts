/** The pages around a browser sign-in: signed in, signed out, and "this link is someone else's". */
import { html } from 'hono/html';
import { page } from './review-page.js';

/** The sign-in link that brings the browser back to `returnTo` (a same-origin path). */
export const signInPath = (returnTo?: string) => `/auth/login${returnTo ? `?${new URLSearchParams({ returnTo })}` : ''}`;

export function signOutForm(returnTo?: string, label = 'Sign out') {
  return html`<form method="post" action="/auth/logout">${returnTo ? html`<input type="hidden" name="returnTo" value="${returnTo}">` : ''}<button>${label}</button></form>`;
}

export function signedInPage(who: string) {
  return page('Signed in', html`<h1>Signed in</h1><p class="notice">You are signed in as <strong>${who}</strong>. Open your review link again to decide.</p>${signOutForm()}`);
}

export function signedOutPage(returnTo?: string) {
  return page('Signed out', html`<h1>Signed out</h1><p class="notice">You are signed out of Handrail. <a href="${signInPath(returnTo)}">Sign in again</a></p>`);
}

/** A sensitive step's review link opened by someone signed in as another person. */
export function wrongPersonPage(signedInAs: string, reviewer: string, returnTo: string) {
  return page(
    'Not your review link',
    html`<h1>Not your review link</h1><p class="notice">This review link is for <strong>${reviewer}</strong>, and you are signed in as <strong>${signedInAs}</strong>.
      Nothing was shown or decided. If you are ${reviewer}, sign out and sign in as yourself.</p>${signOutForm(returnTo, `Sign out ${signedInAs}`)}`,
  );
}
