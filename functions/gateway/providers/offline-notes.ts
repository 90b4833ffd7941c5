/**
 * The offline provider's draft when a generate step has no retrieve context (e.g. meeting notes
 * from a transcript): an extractive summary of the input text and the action items it states, with
 * no model. Deterministic: same text, same notes.
 *
 * - Summary: the sentences (other than the action items) whose content words are most frequent in
 *   the whole text (the classic frequency summariser), at most three, in the order they were said.
 * - Action items: sentences that say who will do what: "Dana will send…", "I'll…" (the speaker of a
 *   "Name: …" line), "Action: …", "Action item: …", "TODO: …", "Priya to update…"; the owner is the
 *   named person (or "@name", or "owner: X"), the due date a "by Friday"/"by 2026-12-04"/"tomorrow"/
 *   "next week" the sentence carries.
 */
import { renderStructured } from '../../shared/structured-text.js';
import { contentWords as wordsOf } from './content-words.js';

export const OFFLINE_NOTES_HEADER = '[offline draft — summarised from the input text without a language model]';
export const OFFLINE_NOTES_MARK = '(Offline draft: extracted from the text without a language model; review before it is shared.)';

const MAX_SUMMARY_SENTENCES = 3;
const MAX_ACTION_ITEMS = 20;
const MAX_SENTENCE_CHARS = 400;

export interface ActionItem {
  readonly task: string;
  readonly owner?: string;
  readonly due?: string;
}

export interface OfflineNotes {
  readonly summary: string;
  readonly actionItems: ActionItem[];
}

interface Sentence {
  readonly text: string;
  readonly speaker?: string;
  readonly index: number;
  /** A short line with no full stop ("Meeting: Q3 sync", "Agenda"): a heading, not something said. */
  readonly heading?: boolean;
}

const STOPWORDS = new Set(
  ('the and for are but not you your with this that these those from have has had was were will would can could should ' +
    'what when where which who whom why how does did our they them their there here into onto about please thanks thank ' +
    'any all some just also its been being than then very yes yeah okay sure think know going get got let lets like really ' +
    'meeting transcript summary notes').split(' '),
);

const NAME = "[A-Z][\\p{L}'-]+(?: [A-Z][\\p{L}'-]+)?";
/** "Dana: …" or "Dana Smith: …" or "[10:02] Dana: …" at the start of a line. */
const SPEAKER_LINE = new RegExp(`^(?:\\[[^\\]]{1,20}\\]\\s*)?(${NAME})\\s*:\\s+(.+)$`, 'u');
const LABELLED = /^(?:action(?: item)?|ai|todo|to-do|follow[- ]up)\s*[:\-–]\s*(.+)$/i;
const TODO_PREFIX = /^todo\s+(.+)$/i;
const WILL = new RegExp(`^(?:(?:and|so|then|ok(?:ay)?),?\\s+)?(I|we|${NAME})\\s+(?:will|'ll|is going to|are going to|am going to)\\s+(.+)$`, 'iu');
const TO_DO = new RegExp(`^(@?${NAME}|@[\\w.-]+)\\s+to\\s+(.+)$`, 'u');
const OWNER_NOTE = /\(?\s*owner\s*[:=]\s*(@?[\p{L}][\p{L}.' -]{0,60}?)\s*\)?\s*(?:[,;.]|$)/iu;
const MENTION = /@([\p{L}][\p{L}\p{N}._-]{0,40})/u;
const DUE = /\b(?:by|before|due|until)\s+((?:next |this |end of (?:the )?)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|week|month|quarter|day|eod|eow|tomorrow|today|tonight)|\d{4}-\d{2}-\d{2}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.? \d{1,2}(?:st|nd|rd|th)?|\d{1,2}(?:st|nd|rd|th)? (?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)\b/i;
const BARE_DUE = /\b(tomorrow|today|tonight|next week|end of (?:the )?(?:day|week|month))\b/i;

function clean(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > MAX_SENTENCE_CHARS ? `${t.slice(0, MAX_SENTENCE_CHARS - 1)}…` : t;
}

/** Sentences in order, each with the speaker of its line when the text is a "Name: …" transcript. */
function sentencesOf(text: string): Sentence[] {
  const out: Sentence[] = [];
  for (const rawLine of text.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line) continue;
    const spoken = SPEAKER_LINE.exec(line);
    const speaker = spoken && !LABELLED.test(line) ? spoken[1] : undefined;
    const body = speaker ? spoken![2]! : line;
    const heading = !/[.!?…]["')\]]?$/.test(line) && line.split(/\s+/).length <= 8;
    for (const part of body.split(/(?<=[.!?])\s+(?=[A-Z@"'(\[])/u)) {
      const t = clean(part);
      if (t) out.push({ text: t, ...(speaker ? { speaker } : {}), index: out.length, ...(heading ? { heading } : {}) });
    }
  }
  return out;
}

/** Content words of `text` (content-words.ts), without this module's stopwords. */
const contentWords = (text: string): string[] => wordsOf(text, STOPWORDS);

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function withStop(text: string): string {
  return /[.!?…]$/.test(text) ? text : `${text}.`;
}

function dueOf(text: string): string | undefined {
  const m = DUE.exec(text) ?? BARE_DUE.exec(text);
  return m?.[1]?.trim();
}

/** The action a sentence states, if any. */
function actionOf(sentence: Sentence): ActionItem | undefined {
  let text = sentence.text.replace(/^[-*•]\s*/, '');
  let owner: string | undefined;
  const labelled = LABELLED.exec(text) ?? TODO_PREFIX.exec(text);
  if (labelled) text = labelled[1]!.trim();
  const will = WILL.exec(text);
  const to = TO_DO.exec(text);
  if (will) {
    const who = will[1]!;
    if (/^i$/i.test(who)) owner = sentence.speaker;
    else if (!/^we$/i.test(who)) owner = who;
    if (!labelled && /^(?:it|this|that|there|he|she|they|you)$/i.test(who)) return undefined;
    text = owner || /^we$/i.test(who) ? will[2]! : text;
  } else if (to) {
    owner = to[1]!.replace(/^@/, '');
    text = to[2]!;
  } else if (!labelled) {
    return undefined;
  }
  const note = OWNER_NOTE.exec(text);
  if (note) {
    owner ??= note[1]!.replace(/^@/, '').trim();
    text = text.replace(note[0], ' ').trim();
  }
  const mention = MENTION.exec(text);
  if (!owner && mention) owner = mention[1];
  const task = withStop(capitalise(text.replace(/\s+/g, ' ').replace(/[\s,;:]+$/, '').trim()));
  if (task.length < 4) return undefined;
  const due = dueOf(text);
  return { task, ...(owner ? { owner } : {}), ...(due ? { due } : {}) };
}

/** The sentences that carry the most frequent content words, in the order they were said. */
function summarise(sentences: Sentence[]): string {
  const frequency = new Map<string, number>();
  for (const s of sentences) for (const w of new Set(contentWords(s.text))) frequency.set(w, (frequency.get(w) ?? 0) + 1);
  const scored = sentences
    .map((s) => {
      const words = contentWords(s.text);
      const score = words.length ? words.reduce((sum, w) => sum + (frequency.get(w) ?? 0), 0) / Math.sqrt(words.length) : 0;
      return { s, score };
    })
    .filter(({ s }) => contentWords(s.text).length >= 2);
  const chosen = scored
    .sort((a, b) => b.score - a.score || a.s.index - b.s.index)
    .slice(0, MAX_SUMMARY_SENTENCES)
    .map(({ s }) => s)
    .sort((a, b) => a.index - b.index);
  return chosen.map((s) => withStop(s.speaker ? `${s.speaker}: ${s.text}` : s.text)).join(' ');
}

export function composeOfflineNotes(text: string): OfflineNotes {
  const sentences = sentencesOf(text);
  const actionItems: ActionItem[] = [];
  const seen = new Set<string>();
  const said: Sentence[] = [];
  for (const s of sentences) {
    const item = actionOf(s);
    if (!item && !s.heading) said.push(s);
    if (!item || seen.has(item.task.toLowerCase())) continue;
    seen.add(item.task.toLowerCase());
    actionItems.push(item);
    if (actionItems.length >= MAX_ACTION_ITEMS) break;
  }
  // The summary is what was said; the actions are listed on their own (unless that is all there is).
  const summary = summarise(said) || summarise(sentences.filter((s) => !s.heading)) || summarise(sentences) || clean(text) || 'The text is empty.';
  return { summary, actionItems };
}

/** The notes as text: the offline header, the summary, then the action items as a list (functions/shared/structured-text.ts). */
export function offlineNotesText(notes: OfflineNotes): string {
  return `${OFFLINE_NOTES_HEADER}\n\n${renderStructured({ summary: notes.summary, actionItems: notes.actionItems })}\n\nA reviewer should check these notes before they are shared.`;
}
