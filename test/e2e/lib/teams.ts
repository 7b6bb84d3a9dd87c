/**
 * Microsoft Teams relays in e2e suites: the placeholders and credential of templates 24–28, n8n
 * behind a public https:// URL (Graph only notifies https, n8n's Teams Trigger refuses to
 * subscribe otherwise), and the route by which simulators reach that URL as n8n's plain-HTTP port,
 * as a TLS-terminating reverse proxy in front of n8n would. The same setup as
 * test/e2e/landbot-teams.e2e.test.ts, which keeps its own copy.
 */
import * as net from 'net';

import { Outbox } from '../../fakes/http';
import type { HttpRequestOptions, HttpResult } from '../../fakes/http';
import type { TeamsSimulator } from '../../fakes/teams';
import { slackProxyEnv } from './slack';
import type { TlsProxy } from './tlsProxy';

/** What n8n's public URL is (N8N_WEBHOOK_URL): the address Graph and the bot platform call. */
export const PUBLIC_URL = 'https://n8n.handoff.test';

export const TEAMS_PLACEHOLDERS = { teamId: 'YOUR_TEAMS_TEAM_ID', channelId: 'YOUR_TEAMS_CHANNEL_ID', botUserId: 'YOUR_TEAMS_BOT_USER_ID' } as const;

/** The credential the templates reference (fixed ID and name, as templates.ts does for the others). */
export const TEAMS_CREDENTIAL = { id: 'teams-credential', name: 'Microsoft Teams account', type: 'microsoftTeamsOAuth2Api' } as const;

/** As n8n holds it after the OAuth consent of the relay user. */
export function teamsCredential(sim: TeamsSimulator) {
	return { ...TEAMS_CREDENTIAL, data: sim.credentialData() };
}

/** The templates' escaping of what a user typed, for Teams' HTML bodies. */
export const htmlEscaped = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '<br>');

export async function freePort(): Promise<number> {
	const server = net.createServer();
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const { port } = server.address() as net.AddressInfo;
	await new Promise((resolve) => server.close(resolve));
	return port;
}

/** Requests to the public URL go to n8n's local port; any other URL is left alone. */
export function publicRoute(port: number): (url: string) => string {
	return (url) => (url.startsWith(`${PUBLIC_URL}/`) ? `http://127.0.0.1:${port}${url.slice(PUBLIC_URL.length)}` : url);
}

/** An outbox (a simulator's outgoing requests) that sends requests to the public URL through `route`. */
export class RoutedOutbox extends Outbox {
	constructor(private readonly route: (url: string) => string) {
		super();
	}

	request(url: string, options?: HttpRequestOptions): Promise<HttpResult> {
		return super.request(this.route(url), options);
	}
}

/** n8n's environment: Graph and the token endpoint through the TLS proxy, webhooks under PUBLIC_URL. */
export function teamsN8nEnv(proxy: TlsProxy): Record<string, string> {
	return { ...slackProxyEnv(proxy), N8N_WEBHOOK_URL: `${PUBLIC_URL}/` };
}
