/**
 * Compile-time only (never imported): proves that `npm run typecheck` refuses console calls the
 * server's OpenAPI document does not allow. Each @ts-expect-error fails the check if the line
 * stops being an error.
 */
import { get, post } from './api.ts';

// @ts-expect-error a path the server does not have
void get('/tickets/{ref}', { params: { path: { ref: 'x' } } });
// @ts-expect-error path parameters are required
void get('/tickets/{ticketRef}/events');
// @ts-expect-error body fields are checked against the route's zod schema
void post('/tickets/{ticketRef}/de-escalate', { because: 'x' }, { params: { path: { ticketRef: 'x' } } });
export const typedAnswer = async (): Promise<string> => (await get('/tickets/{ticketRef}', { params: { path: { ticketRef: 'ESC-1' } } })).key;
