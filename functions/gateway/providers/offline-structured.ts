/**
 * Structured output without a model: builds the smallest object a step's JSON Schema asks for, so
 * workflows with `outputSchema` run with no keys and no network. Deterministic: required fields
 * are filled from `const`/`default`, an enum option named in the request (else the first), the
 * extractive draft for strings, the lowest allowed number, false, and empty lists.
 */
import type { JsonSchema } from '../types.js';
import type { ActionItem } from './offline-notes.js';

type Node = Record<string, unknown>;

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

/** The first option all of whose words occur in the request (a crude keyword classifier), else the first. */
function pickOption(options: unknown[], request: Set<string>): unknown {
  const named = options.find((o) => typeof o === 'string' && [...words(o)].length > 0 && [...words(o)].every((w) => request.has(w)));
  return named !== undefined ? named : options[0];
}

function firstType(node: Node): string | undefined {
  const t = node.type;
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  return typeof t === 'string' ? t : undefined;
}

function lowestNumber(node: Node, integer: boolean): number {
  const min = typeof node.minimum === 'number' ? node.minimum : undefined;
  const exclusive = typeof node.exclusiveMinimum === 'number' ? node.exclusiveMinimum + (integer ? 1 : 0.001) : undefined;
  let n = Math.max(min ?? 0, exclusive ?? Number.NEGATIVE_INFINITY);
  if (min === undefined && exclusive === undefined) n = 0;
  if (typeof node.maximum === 'number' && n > node.maximum) n = node.maximum;
  return integer ? Math.ceil(n) : n;
}

interface Fill {
  readonly request: Set<string>;
  readonly draft: string;
  /** Drafted from the input text (no retrieve context): the action items it states fill lists. */
  readonly actionItems?: readonly ActionItem[];
}

const TASK_FIELD = /task|action|text|title|description|item|what/i;
const OWNER_FIELD = /owner|assignee|who|responsible|person/i;
const DUE_FIELD = /due|deadline|when|date|by/i;

/** One action item as an entry of the list the schema describes (an object with task/owner/due fields, or a string). */
function actionEntry(items: Node, item: ActionItem, fill: Fill): unknown {
  const type = firstType(items) ?? (items.properties ? 'object' : 'string');
  if (type === 'string') return [item.task, item.owner ? `(owner: ${item.owner}${item.due ? `, due: ${item.due}` : ''})` : item.due ? `(due: ${item.due})` : ''].filter(Boolean).join(' ');
  if (type !== 'object') return valueFor(items, fill);
  const properties = (items.properties ?? {}) as Record<string, Node>;
  const required = new Set(Array.isArray(items.required) ? (items.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(properties)) {
    const childType = firstType(child) ?? 'string';
    const value = OWNER_FIELD.test(name) ? item.owner : DUE_FIELD.test(name) ? item.due : TASK_FIELD.test(name) ? item.task : undefined;
    if (childType === 'string' && !child.enum && value !== undefined) out[name] = typeof child.maxLength === 'number' ? value.slice(0, child.maxLength) : value;
    else if (required.has(name)) out[name] = OWNER_FIELD.test(name) && childType === 'string' && !child.enum ? 'unassigned' : DUE_FIELD.test(name) && childType === 'string' && !child.enum ? 'not set' : valueFor(child, fill);
    else if ('const' in child || 'default' in child) out[name] = valueFor(child, fill);
  }
  return out;
}

function valueFor(node: Node, fill: Fill): unknown {
  if ('const' in node) return node.const;
  if ('default' in node) return node.default;
  if (Array.isArray(node.enum) && node.enum.length) return pickOption(node.enum, fill.request);
  const branch = (node.anyOf ?? node.oneOf) as Node[] | undefined;
  if (Array.isArray(branch) && branch[0]) return valueFor(branch[0], fill);
  switch (firstType(node) ?? (node.properties ? 'object' : 'string')) {
    case 'object':
      return objectFor(node, fill);
    case 'array': {
      const items = (node.items ?? {}) as Node;
      if (fill.actionItems) {
        const max = typeof node.maxItems === 'number' ? node.maxItems : fill.actionItems.length;
        const listed = fill.actionItems.slice(0, max).map((item) => actionEntry(items, item, fill));
        const min = typeof node.minItems === 'number' ? node.minItems : 0;
        return listed.length >= min ? listed : [...listed, ...Array.from({ length: min - listed.length }, () => valueFor(items, fill))];
      }
      const count = typeof node.minItems === 'number' ? node.minItems : 0;
      return Array.from({ length: count }, () => valueFor(items, fill));
    }
    case 'number':
      return lowestNumber(node, false);
    case 'integer':
      return lowestNumber(node, true);
    case 'boolean':
      return false;
    case 'null':
      return null;
    default: {
      const max = typeof node.maxLength === 'number' ? node.maxLength : undefined;
      return max !== undefined ? fill.draft.slice(0, max) : fill.draft;
    }
  }
}

/** Required properties, plus optional ones the schema gives a value for (const/default). */
function objectFor(node: Node, fill: Fill): Record<string, unknown> {
  const properties = (node.properties ?? {}) as Record<string, Node>;
  const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
  const out: Record<string, unknown> = {};
  for (const [name, child] of Object.entries(properties)) {
    if (required.has(name) || 'const' in child || 'default' in child) out[name] = valueFor(child, fill);
  }
  return out;
}

export function composeOfflineObject(schema: JsonSchema, requestText: string, draft: string, actionItems?: readonly ActionItem[]): Record<string, unknown> {
  return objectFor(schema, { request: words(requestText), draft, ...(actionItems ? { actionItems } : {}) });
}
