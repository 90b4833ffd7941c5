/** What serves each declared route (route-table.ts); app.ts mounts one per entry. */
import type { Handler } from 'hono';
import type { RouteId } from './route-table.js';

export type RouteHandlers<K extends RouteId = RouteId> = { readonly [id in K]: Handler };
