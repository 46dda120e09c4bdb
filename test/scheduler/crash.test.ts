/** Crash tests of the durable timers with one scheduler process, on SQLite and PostgreSQL (see crash-run.ts). */
import { crashVariant } from './crash-run.ts';

crashVariant('timer crash test: one scheduler, SIGKILL and restart [sqlite]', 'sqlite', 1, 250, 6);
crashVariant('timer crash test: one scheduler, SIGKILL and restart [postgres]', 'postgres', 1, 150, 5);
