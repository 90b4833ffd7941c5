/**
 * The text helpers every offline classifier shares: stems from wink-nlp-utils' own modules and
 * sentences from the platform's Unicode segmenter (no language model loaded).
 */
import { describe, expect, it } from 'vitest';
import { containsPhrase, contentStems, sentences, stems } from '../../../functions/classifiers/text-terms.js';

describe('stems', () => {
  it('Porter2-stems every word, stop words kept', () => {
    expect(stems('They charged me twice; both charges')).toEqual(['they', 'charg', 'me', 'twice', 'both', 'charg']);
    expect(containsPhrase(stems('We will cease and desist.'), stems('cease and desist'))).toBe(true);
  });

  it('keeps content words only for grounding and length', () => {
    expect(contentStems('The invoices are wrong, is it a bug?')).toEqual(['invoic', 'wrong', 'bug']);
  });
});

describe('sentences', () => {
  it.each([
    ['Hi team. The app crashes every time I open it. Very disappointed.', ['Hi team.', 'The app crashes every time I open it.', 'Very disappointed.']],
    ['Is there a workaround? Does the API support pagination?', ['Is there a workaround?', 'Does the API support pagination?']],
    // Names after titles, versions, file names and domains do not end a sentence.
    ['Dr. Smith said so. I climbed Mt. Everest.', ['Dr. Smith said so.', 'I climbed Mt. Everest.']],
    ['See v2.3.1 at status.acme.example for details. Thanks!', ['See v2.3.1 at status.acme.example for details.', 'Thanks!']],
    ['Error at foo.js:12:3 again. Why?', ['Error at foo.js:12:3 again.', 'Why?']],
    ['Select "Forgot password?", then follow the link.', ['Select "Forgot password?", then follow the link.']],
    // A hard-wrapped line goes on; a blank line ends the sentence. The original text is returned.
    ['The export fails when I\nclick it. Please fix', ['The export fails when I\nclick it.', 'Please fix']],
    ['Hi,\n\nI cannot log in\r\nPlease help', ['Hi,', 'I cannot log in\r\nPlease help']],
    ['', []],
    ['  \n ', []],
  ])('%j', (text, expected) => {
    expect(sentences(text)).toEqual(expected);
  });
});
