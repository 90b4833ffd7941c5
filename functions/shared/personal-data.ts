/**
 * Personal data in free text, found and masked the same way everywhere: email addresses, payment
 * card numbers (13–19 digits that pass the Luhn check) and phone numbers (9 or more digits). The
 * `noPersonalData` quality gate refuses a draft that has any (functions/quality/gates.ts); the logger
 * masks them in every line it prints (functions/shared/log-redaction.ts).
 *
 * @example maskPersonalData('call +44 20 7946 0958 or mail pat@example.com') // 'call <phone> or mail <email>'
 */
const EMAIL = /[A-Z0-9._%+-]+@[A-Z0-9.-]+\.[A-Z]{2,}/gi;
// Not inside an identifier: a run id (run-mx4lu0bn-43b28662-2799) or a UUID holds digit groups too.
const PHONE = /(?<![\w-])(?:\+?\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]?\d{3,4}[\s.-]?\d{3,4}(?![\w-])/g;
const CARD_CANDIDATE = /\b(?:\d[ -]?){13,19}\b/g;

/** The Luhn checksum that every payment card number satisfies. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return digits.length >= 13 && sum % 10 === 0;
}

const isCard = (candidate: string) => luhnValid(candidate.replace(/[ -]/g, ''));
const isPhone = (candidate: string) => candidate.replace(/\D/g, '').length >= 9;

/** The kinds of personal data the text holds ('an email address', 'a card number', 'a phone number'). */
export function personalData(text: string): string[] {
  const found: string[] = [];
  if (text.match(EMAIL)) found.push('an email address');
  const cards = (text.match(CARD_CANDIDATE) ?? []).filter(isCard);
  if (cards.length) found.push('a card number');
  const withoutCards = cards.length ? text.replace(CARD_CANDIDATE, ' ') : text;
  if ((withoutCards.match(PHONE) ?? []).some(isPhone)) found.push('a phone number');
  return found;
}

/**
 * The text with each email address, card number and phone number replaced by `<email>`, `<card>`,
 * `<phone>`. A phone number is masked only when written as one (a `+`, a space, dot, dash or
 * parenthesis in it), so an unbroken run of digits (an AWS account id, a timestamp) stays readable.
 */
export function maskPersonalData(text: string): string {
  return text
    .replace(EMAIL, '<email>')
    .replace(CARD_CANDIDATE, (c) => (isCard(c) ? `<card>${/[ -]$/.test(c) ? c.at(-1) : ''}` : c))
    .replace(PHONE, (p) => (isPhone(p) && /[^\d]/.test(p) ? '<phone>' : p));
}
