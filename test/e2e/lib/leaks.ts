/**
 * Where a run's secrets must not be: what n8n keeps of every execution — as the editor's REST API
 * shows it (run data, the snapshot of the workflow it ran) and as the database holds it (the rows of
 * execution_data and execution_metadata, read from n8n's SQLite file) — and n8n's log. Anyone who may
 * read a workflow's executions sees the first, whoever reads the database or the server's log the
 * others. The secrets come from the test (credentials it created) and from the simulators, which know
 * every token they issued or were given (`secrets()`).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

import type { N8nInstance } from './n8n';

export interface Leak {
	/** What the secret is (the test's label) and its first characters, never the whole of it. */
	secret: string;
	/** `execution <id> (<workflow name>): <part>`, or `n8n log`. */
	where: string;
	/** A few characters around the first occurrence, the secret masked. */
	around: string;
}

/** Shorter values (`true`, an id) would match by chance; no secret of the suites is that short. */
const MIN_LENGTH = 8;

/** The parts of a stored execution, each scanned on its own so a finding says where it is. */
function partsOf(execution: Record<string, any>): Array<[string, string]> {
	const { data, workflowData, ...rest } = execution;
	const { staticData, ...workflow } = workflowData ?? {};
	return [
		['run data', typeof data === 'string' ? data : JSON.stringify(data ?? null)],
		['workflow snapshot', JSON.stringify(workflow)],
		['workflow snapshot: static data', JSON.stringify(staticData ?? null)],
		['execution fields', JSON.stringify(rest)],
	];
}

/** The execution rows of n8n's SQLite database (none for an instance on PostgreSQL), read with node:sqlite. */
function storedExecutionRows(n8n: N8nInstance): Array<[string, string]> {
	const db = path.join(path.dirname(n8n.logFile), '.n8n', 'database.sqlite');
	if (!fs.existsSync(db)) return [];
	const script = `
		const { DatabaseSync } = require('node:sqlite');
		const db = new DatabaseSync(process.argv[1], { readOnly: true });
		const rows = [];
		for (const table of ['execution_data', 'execution_metadata']) {
			for (const row of db.prepare('SELECT * FROM ' + table).all()) rows.push([table, row]);
		}
		process.stdout.write(JSON.stringify(rows));`;
	const out = execFileSync(process.execPath, ['--no-warnings', '-e', script, db], { maxBuffer: 1024 * 1024 * 1024 });
	return (JSON.parse(out.toString('utf8')) as Array<[string, Record<string, unknown>]>).map(([table, row]) => [
		`database ${table} (execution ${String(row.executionId)})`,
		Object.values(row).map(String).join('\n'),
	]);
}

/**
 * Every place one of `secrets` (label → values) occurs in n8n's executions (REST API and database)
 * or log. Pass `allow` to skip parts that keep a secret on purpose (none should).
 */
export async function findLeaks(
	n8n: N8nInstance,
	secrets: Record<string, Array<string | undefined | null>>,
	opts: {
		allow?: (where: string, label: string) => boolean;
		/**
		 * Values the run certainly left in its executions (an ID the workflows handled): the places each
		 * is found in, so a test can show the scan reads what it should (a scan that reads nothing finds
		 * no leak either).
		 */
		control?: string[];
	} = {},
): Promise<{
	leaks: Leak[];
	control: string[];
	scanned: { executions: number; rows: number; secrets: number; logBytes: number };
}> {
	const wanted = new Map<string, string>();
	for (const [label, values] of Object.entries(secrets)) {
		for (const value of values) if (typeof value === 'string' && value.length >= MIN_LENGTH && !wanted.has(value)) wanted.set(value, label);
	}
	const places: Array<[string, string]> = [];
	const ids = (await n8n.executions({ includeData: false })).map((e) => String(e.id));
	for (const id of ids) {
		const execution = (await n8n.rest<{ data: Record<string, any> }>(`/rest/executions/${id}`)).data;
		const name = String(execution.workflowData?.name ?? execution.workflowId);
		for (const [part, text] of partsOf(execution)) places.push([`execution ${id} (${name}): ${part}`, text]);
	}
	const rows = storedExecutionRows(n8n);
	places.push(...rows);
	const log = n8n.logs();
	places.push(['n8n log', log]);

	const control = places
		.filter(([, text]) => (opts.control ?? []).some((value) => value !== '' && text.includes(value)))
		.map(([where]) => where);
	const leaks: Leak[] = [];
	for (const [where, text] of places) {
		for (const [value, label] of wanted) {
			const at = text.indexOf(value);
			if (at < 0 || opts.allow?.(where, label)) continue;
			const around = `${text.slice(Math.max(0, at - 60), at)}«${label}»${text.slice(at + value.length, at + value.length + 60)}`;
			leaks.push({ secret: `${label} ${value.slice(0, 4)}…`, where, around });
		}
	}
	return { leaks, control, scanned: { executions: ids.length, rows: rows.length, secrets: wanted.size, logBytes: log.length } };
}
