/**
 * Crash tests of the durable timers with two scheduler processes on one PostgreSQL database:
 * leases and FOR UPDATE SKIP LOCKED share the work; a process killed mid-batch loses its lease
 * and the other (or its restart) finishes the work, each firing once (see crash-run.ts).
 */
import { crashVariant } from './crash-run.ts';

crashVariant('timer crash test: two schedulers on one database, SIGKILL and restart [postgres]', 'postgres', 2, 150, 5);
