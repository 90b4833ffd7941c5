/**
 * A generate step's structured output (`outputSchema`) as text a person reads: what reviewers see
 * and edit, and what a deliver step sends (Slack, a ticket, a webhook). One rendering for all:
 *
 *   <the first text field, as a paragraph>
 *
 *   Action items:
 *   - Send the revised budget. (owner: Dana, due: Friday)
 *
 * Other text fields are `Label: value` lines; lists get a heading from their field name
 * (`actionItems` → "Action items") and one bullet per entry, an object entry being its main text
 * (task, text, title, description…) with its other fields in brackets; an empty list says so.
 */

const MAIN_FIELDS = ['task', 'text', 'title', 'description', 'action', 'item', 'summary', 'name'];

/** `actionItems` → "Action items", `next_steps` → "Next steps". */
export function labelOf(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function entryText(entry: unknown): string {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) return scalar(entry);
  const fields = Object.entries(entry as Record<string, unknown>).filter(([, v]) => scalar(v) !== '');
  const main = fields.find(([k]) => MAIN_FIELDS.includes(k.toLowerCase())) ?? fields.find(([, v]) => typeof v === 'string');
  const rest = fields.filter((f) => f !== main).map(([k, v]) => `${labelOf(k).toLowerCase()}: ${scalar(v)}`);
  const head = main ? scalar(main[1]) : '';
  if (!head) return rest.join(', ');
  return rest.length ? `${head} (${rest.join(', ')})` : head;
}

/** Fields whose text is the paragraph the rendering opens with (else the first text field). */
const PARAGRAPH_FIELDS = ['summary', 'text', 'body', 'notes', 'reply', 'answer', 'message'];

export function renderStructured(output: Readonly<Record<string, unknown>>): string {
  const entries = Object.entries(output).filter(([, v]) => v !== undefined && v !== null);
  const paragraph =
    entries.find(([k, v]) => typeof v === 'string' && PARAGRAPH_FIELDS.includes(k.toLowerCase())) ?? entries.find(([, v]) => typeof v === 'string');
  const blocks: string[] = paragraph && scalar(paragraph[1]) ? [scalar(paragraph[1])] : [];
  for (const [key, value] of entries) {
    if (paragraph && key === paragraph[0]) continue;
    if (Array.isArray(value)) {
      const bullets = value.map(entryText).filter(Boolean);
      blocks.push(`${labelOf(key)}:\n${bullets.length ? bullets.map((b) => `- ${b}`).join('\n') : '- None.'}`);
    } else if (typeof value === 'object') {
      blocks.push(`${labelOf(key)}: ${entryText(value)}`);
    } else {
      blocks.push(`${labelOf(key)}: ${scalar(value)}`);
    }
  }
  return blocks.join('\n\n');
}
