/** @module Password resets: asking for a mailed link, the page the link opens, and setting the new password. */
import type { Response } from 'express';
import { z } from 'zod';
import { EdgeError } from '../../base/errors.ts';
import type { CloudDeps } from '../deps.ts';
import { attemptLimits } from '../rate-limit.ts';
import { passwordSchema } from '../passwords.ts';
import { route, type Route } from '../route.ts';
const ACCEPTED = 'if an account has that address, a mail with a reset link is on its way; it works for one hour';

const requestSchema = z.object({ email: z.email().max(254) });
/** The reset form holds a token and two passwords: a few hundred bytes. */
const MAX_FORM_BYTES = 16 * 1024;
const confirmSchema = z.object({ token: z.string().min(1).max(200), password: passwordSchema });
const formSchema = z.object({ token: z.string().max(200), password: z.string(), confirm: z.string() });
/** A link without a usable token (none, empty, or given twice) gets the page saying it does not work, not an error in JSON: a person opened it. */
const linkSchema = z.object({ token: z.string().optional().catch(undefined) });
/** The rule passwordSchema checks, in a person's words: bcrypt's limit is 72 bytes, and a letter beyond ASCII takes two or more. */
const PASSWORD_RULE = '8 to 72 characters; a letter beyond plain ASCII, such as é, counts as two or more.';
/** What assertStrongPassword asks for, said before the person types. */
const STRENGTH_HINT = 'It must be hard to guess: three or four unrelated words work well.';

/** The token is in the page's URL and form: no outside requests, no referrer, no caching, no framing. */
const PAGE_HEADERS = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

const STYLE = [
  'body{margin:0;font:16px/1.5 system-ui,sans-serif;background:#f4f5f7;color:#1c2230}',
  'main{max-width:26rem;margin:8vh auto;padding:2rem;background:#fff;border-radius:8px;box-shadow:0 1px 4px #0003}',
  'h1{margin-top:0;font-size:1.4rem}label{display:block;margin-top:1rem;font-weight:600}',
  'input{box-sizing:border-box;width:100%;margin-top:.25rem;padding:.5rem;font:inherit;border:1px solid #6b7385;border-radius:4px}',
  'button{width:100%;margin-top:1.5rem;padding:.6rem;font:inherit;font-weight:600;color:#fff;background:#1f4fbf;border:0;border-radius:4px}',
  'input:focus-visible,button:focus-visible{outline:3px solid #e09a00;outline-offset:2px}',
  '.hint{margin:.25rem 0 0;color:#4a5163;font-size:.9rem}.error{padding:.5rem .75rem;color:#8f1414;background:#fdecec;border-radius:4px}',
].join('');

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${escapeHtml(title)} · edgecourier</title><style>${STYLE}</style></head>
<body><main><h1>${escapeHtml(title)}</h1>
${body}
</main></body>
</html>`;
}

function formPage(token: string, error?: string): string {
  const field = (id: string, label: string, hint = '') =>
    `<label for="${id}">${label}</label><input id="${id}" name="${id}" type="password" autocomplete="new-password" minlength="8" maxlength="72" required${hint && ` aria-describedby="${id}-hint"`}>` +
    (hint && `<p class="hint" id="${id}-hint">${hint}</p>`);
  return page(
    'Choose a new password',
    `${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<form method="post" action="reset-password">
<input type="hidden" name="token" value="${escapeHtml(token)}">
${field('password', 'New password', `${PASSWORD_RULE} ${STRENGTH_HINT}`)}
${field('confirm', 'The new password again')}
<button type="submit">Set the new password</button>
</form>`,
  );
}

const invalidLinkPage = () =>
  page('This link does not work', '<p>It is incomplete, unknown, used already, or more than an hour old. Ask for a new reset mail and use the link in it.</p>');

function sendPage(res: Response, status: number, html: string): void {
  res.status(status).set(PAGE_HEADERS).type('html').send(html);
}

/**
 * POST /api/v1/password-resets, POST /api/v1/password-resets/confirm, and the mailed link's page,
 * GET and POST /reset-password.
 * @example app.use('/', routerOf(passwordResetRoutes(deps)))
 */
export function passwordResetRoutes(deps: Pick<CloudDeps, 'passwordResets' | 'logger' | 'attemptsPerMinute'>): Route[] {
  const logger = deps.logger.child({ component: 'password-resets' });

  return [
    route({
      method: 'post',
      path: '/api/v1/password-resets',
      summary: 'Ask for a mail with a link to reset the password',
      auth: 'anyone',
      use: attemptLimits({ perMinute: deps.attemptsPerMinute, logger, perAddress: true }),
      body: requestSchema,
      answers: { 202: '`{ message }`, the same whether or not the address has an account' },
      errors: ['RATE_LIMITED', 'STORAGE_FULL'],
      handle({ body: { email } }, _req, res) {
        deps.passwordResets.request(email);
        res.status(202).json({ message: ACCEPTED });
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/password-resets/confirm',
      summary: "Set a new password with the mailed link's token; every session and API token of the account is revoked",
      auth: 'anyone',
      body: confirmSchema,
      answers: { 204: 'the password is changed' },
      errors: ['RESET_TOKEN_INVALID', 'WEAK_PASSWORD', 'STORAGE_FULL'],
      async handle({ body: { token, password } }, _req, res) {
        await deps.passwordResets.confirm(token, password);
        res.status(204).end();
      },
    }),
    route({
      method: 'get',
      path: '/reset-password',
      summary: 'The mailed link: a page with a form for the new password',
      auth: 'anyone',
      query: linkSchema,
      answers: { 200: 'the form', 400: 'a page saying the link does not work' },
      produces: 'text/html',
      handle({ query: { token } }, _req, res) {
        if (!token) return sendPage(res, 400, invalidLinkPage());
        sendPage(res, 200, formPage(token));
      },
    }),
    route({
      method: 'post',
      path: '/reset-password',
      summary: "The page's form: set the new password",
      auth: 'anyone',
      form: { maxBytes: MAX_FORM_BYTES },
      body: formSchema,
      answers: { 200: 'a page saying the password is changed', 400: 'the form again, saying what was wrong, or a page saying the link does not work' },
      produces: 'text/html',
      errors: ['STORAGE_FULL'],
      async handle({ body: { token, password, confirm } }, _req, res) {
        if (password !== confirm) return sendPage(res, 400, formPage(token, 'The two passwords differ. Type the same new password twice.'));
        if (!passwordSchema.safeParse(password).success) return sendPage(res, 400, formPage(token, `Choose a password of ${PASSWORD_RULE}`));
        try {
          await deps.passwordResets.confirm(token, password);
        } catch (error) {
          if (error instanceof EdgeError && error.code === 'RESET_TOKEN_INVALID') return sendPage(res, 400, invalidLinkPage());
          if (error instanceof EdgeError && error.code === 'WEAK_PASSWORD')
            return sendPage(res, 400, formPage(token, error.message.charAt(0).toUpperCase() + error.message.slice(1)));
          throw error;
        }
        sendPage(
          res,
          200,
          page(
            'Your password is changed',
            '<p>Log in with your new password. Every session and API token from before the change is revoked: log in again with <code>edgecourier login</code>, and give couriers new tokens.</p>',
          ),
        );
      },
    }),
  ];
}
