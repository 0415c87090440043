/** @module The password-reset link in a mail, and the token in its fragment, as the console's reset page reads it. */
import type { ParsedMail } from 'mailparser';

/**
 * @example const { link, token } = resetLinkIn(await cloud.waitForMail(email))
 */
export function resetLinkIn(mail: Pick<ParsedMail, 'text'> | string): { link: string; token: string } {
  const text = typeof mail === 'string' ? mail : (mail.text ?? '');
  const link = /https?:\/\/\S+\/reset-password#token=\S+/.exec(text)?.[0];
  if (!link) throw new Error(`no reset link in the mail: ${text}`);
  return { link, token: new URLSearchParams(new URL(link).hash.slice(1)).get('token')! };
}
