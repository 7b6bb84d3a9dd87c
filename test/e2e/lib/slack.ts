/**
 * Landbot ↔ Slack (templates 16–18) for the playground: the templates, their placeholders and the
 * credential they reference, and the environment that sends n8n's own Slack node to the Slack
 * simulator through the TLS proxy (the same as test/e2e/landbot-slack.e2e.test.ts uses).
 */
import type { SlackSimulator } from '../../fakes/slack';
import type { TlsProxy } from './tlsProxy';

export const SLACK_TEMPLATE_FILES = {
	/** Landbot's Webhook block → a thread in the channel with the bot history → the customer field, assign, greeting. */
	handoffStart: '16-landbot-slack-handoff-start.json',
	/** Landbot customer messages in a handoff → the customer's thread. */
	landbotToSlack: '17-landbot-to-slack.json',
	/** Slack Trigger: an agent's reply in the thread → the customer; ` /done` → back to the bot. */
	slackToLandbot: '18-slack-to-landbot.json',
} as const;

export const SLACK_PLACEHOLDERS = { channelId: 'YOUR_SLACK_CHANNEL_ID', botUserId: 'YOUR_SLACK_BOT_USER_ID' } as const;

/** The credential the templates reference (fixed ID and name, as templates.ts does for the others). */
export const SLACK_CREDENTIAL = { id: 'slack-credential', name: 'Slack account', type: 'slackApi' } as const;

/** The Landbot customer field in which template 16 keeps the thread's ts. */
export const THREAD_FIELD = 'handoff_conversation';

/** As a user copies it from the Slack app's settings: the bot token and the signing secret. */
export function slackCredential(sim: SlackSimulator) {
	return { ...SLACK_CREDENTIAL, data: { accessToken: sim.token, signatureSecret: sim.signingSecret } };
}

/**
 * n8n's environment for the proxy. npm (installing the package into n8n's user folder) reads these
 * variables too: it goes to its registry directly (npm and npx hand their children an empty
 * npm_config_noproxy, which would win over NO_PROXY), trusting the CAs it trusted before the
 * proxy's CA replaced NODE_EXTRA_CA_CERTS.
 */
export function slackProxyEnv(proxy: TlsProxy): Record<string, string> {
	return {
		...proxy.env,
		npm_config_noproxy: `${proxy.env.NO_PROXY},registry.npmjs.org`,
		...(process.env.NODE_EXTRA_CA_CERTS ? { npm_config_cafile: process.env.NODE_EXTRA_CA_CERTS } : {}),
	};
}
