/** Escalation drills and the quick-reference guide: the console's calls (GET/POST /drills…, GET /quick-reference). */
import { get, post, type BodyOf, type ResponseOf } from '../api.ts';

export type QuickReference = ResponseOf<'get', '/quick-reference'>;
export type DrillList = ResponseOf<'get', '/drills'>;
export type Drill = ResponseOf<'post', '/drills'>;
export type PracticeQueue = ResponseOf<'get', '/drills/{drillId}/tickets'>;
export type DrillTicket = PracticeQueue['tickets'][number];
export type DecisionResult = NonNullable<DrillTicket['decision']>;
export type Expected = NonNullable<DrillTicket['expected']>;
export type ScoreCheck = DecisionResult['checks'][number];
export type ScoreSheet = ResponseOf<'get', '/drills/{drillId}/scores'>;
export type StartDrill = BodyOf<'post', '/drills'>;
export type ScenarioChoice = StartDrill['scenario'];
export type DecisionInput = BodyOf<'post', '/drills/{drillId}/decisions'>;

export const getQuickReference = () => get('/quick-reference');
export const listDrills = () => get('/drills');
export const startDrill = (body: StartDrill) => post('/drills', body);
export const getPracticeQueue = (drillId: string) => get('/drills/{drillId}/tickets', { params: { path: { drillId } } });
export const decide = (drillId: string, body: DecisionInput) => post('/drills/{drillId}/decisions', body, { params: { path: { drillId } } });
export const getScores = (drillId: string) => get('/drills/{drillId}/scores', { params: { path: { drillId } } });

/** "+0 min", "+8 h" after a ticket's creation. */
export function after(ms: number | null): string {
  if (ms === null) return '—';
  const m = Math.round(ms / 60_000);
  return m < 120 ? `+${m} min` : `+${+(m / 60).toFixed(1)} h`;
}
