/**
 * The playground's walkthrough as data: per pairing, the HTTP calls a person makes to play the
 * customer and the agent (printed as `curl` commands by `render`), and what the answers show once
 * the relays did their part. test/e2e/playground.e2e.test.ts runs the same steps with `runSteps`,
 * so what `npm start` prints is what was tested.
 */
import { request } from '../../test/e2e/lib/n8n';

export interface Step {
	/** The comment printed above the command. */
	say: string;
	/** POST when there is a body, GET otherwise. */
	method?: 'GET' | 'POST';
	/** May contain `$NAME`, a value an earlier step captured. */
	url: string;
	headers?: Record<string, string>;
	/** JSON; no `$NAME` in it (the shell does not expand inside single quotes). */
	body?: unknown;
	/**
	 * Keeps a value of the JSON answer as `$NAME`: `expr` is a JavaScript expression of `j` (the answer),
	 * printed into `node -p "…"`, so no double quotes, `$` (but `$NAME`), backticks or `!` in it.
	 */
	capture?: { name: string; expr: string };
	/** Text the answer contains once the relay has done its part (the e2e test waits for it). */
	shows?: string;
}

export interface Pairing {
	/** e.g. "Landbot ↔ Tiledesk". */
	title: string;
	/** The templates the pairing runs, e.g. "templates 1–5". */
	templates: string;
	/** What its walkthrough plays, in a few words (for the summary). */
	gist: string;
	/** What is set up for it, printed under the title. */
	intro: string;
	steps: Step[];
	/** Printed after the steps. */
	note?: string;
}

const JSON_HEADER = { 'content-type': 'application/json' };
const methodOf = (step: Step) => step.method ?? (step.body === undefined ? 'GET' : 'POST');

/** A shell word in single quotes. */
function quote(text: string): string {
	return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** A URL as a shell word: double quotes when it uses a captured `$NAME`. */
const shellUrl = (url: string) => (url.includes('$') ? `"${url}"` : url);

/** One step as shell lines (comment, command), indented by two spaces. */
export function renderStep(step: Step): string[] {
	const expr = step.capture?.expr ?? '';
	if (/["`!]|\$(?![A-Z_]+)/.test(expr)) throw new Error(`capture ${expr} cannot go into node -p "…"`);
	const json = JSON.stringify(step.body ?? null);
	if (json.includes('$')) throw new Error(`a body cannot use captured values: ${json}`);
	const method = methodOf(step);
	const parts = ['curl -s'];
	if (method !== 'GET') parts.push(`-X ${method}`);
	parts.push(shellUrl(step.url));
	const headers = step.body === undefined ? step.headers ?? {} : { ...JSON_HEADER, ...step.headers };
	for (const [name, value] of Object.entries(headers)) parts.push(`-H ${quote(`${name}: ${value}`)}`);
	const data = step.body === undefined ? undefined : `-d ${quote(json)}`;
	let command = parts.join(' ');
	if (data) command = command.length + data.length > 110 ? `${command} \\\n    ${data}` : `${command} ${data}`;
	if (step.capture) {
		const read = `node -p "(j => ${step.capture.expr})(JSON.parse(require('fs').readFileSync(0, 'utf8')))"`;
		command = `${step.capture.name}=$(${command} | ${read})`;
	}
	return [`# ${step.say}`, ...command.split('\n')].map((line) => `  ${line}`);
}

export function renderPairing(pairing: Pairing): string {
	const lines = [`${pairing.title} (${pairing.templates}): ${pairing.intro}`, ''];
	for (const step of pairing.steps) lines.push(...renderStep(step), '');
	if (pairing.note) lines.push(pairing.note, '');
	return lines.join('\n');
}

// ---------------------------------------------------------------- running the steps (e2e test)

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function substitute(text: string, vars: Record<string, string>): string {
	return text.replace(/\$([A-Z_]+)/g, (_, name: string) => {
		if (vars[name] === undefined) throw new Error(`$${name} is used before a step captured it`);
		return vars[name];
	});
}

/**
 * Runs a pairing's steps in order over HTTP, as the printed `curl` commands do, with the patience of a
 * person reading each answer: a GET that captures a value or should show a text is repeated until it
 * does (up to `timeoutMs`). A POST is made once and must answer 2xx. Returns the captured values.
 */
export async function runSteps(steps: Step[], opts: { timeoutMs?: number; log?: (line: string) => void } = {}) {
	const vars: Record<string, string> = {};
	for (const step of steps) {
		const started = Date.now();
		const url = substitute(step.url, vars);
		const method = methodOf(step);
		const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
		for (let attempt = 1; ; attempt++) {
			const res = await request(url, { method, headers: step.headers, body: step.body });
			let problem: string | undefined;
			if (res.status < 200 || res.status >= 300) problem = `answered ${res.status}: ${res.text.slice(0, 300)}`;
			if (!problem && step.capture) {
				const read = new Function('j', `return (${substitute(step.capture.expr, vars)});`) as (j: unknown) => unknown;
				let value: unknown;
				try {
					value = read(res.json());
				} catch (error) {
					problem = `capture failed: ${(error as Error).message}`;
				}
				if (value === undefined || value === null || value === '') problem ??= `no ${step.capture.name} in ${res.text.slice(0, 300)}`;
				else vars[step.capture.name] = String(value);
			}
			if (!problem && step.shows !== undefined && !res.text.includes(step.shows)) {
				problem = `does not show ${JSON.stringify(step.shows)}: ${res.text.slice(-600)}`;
			}
			if (!problem) break;
			if (method !== 'GET' || Date.now() > deadline) {
				throw new Error(`step "${step.say}" (${method} ${url}, attempt ${attempt}) ${problem}`);
			}
			await sleep(250);
		}
		opts.log?.(`${String(Date.now() - started).padStart(6)} ms  ${step.say}`);
	}
	return vars;
}
