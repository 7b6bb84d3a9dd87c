/**
 * Starts the Landbot, Tiledesk and Salesforce Enhanced Chat simulators on fixed ports with demo
 * data and prints how to use them. Ports: `--landbot-port N --tiledesk-port N
 * --enhanced-chat-port N` or LANDBOT_SIM_PORT / TILEDESK_SIM_PORT / ENHANCED_CHAT_SIM_PORT
 * (defaults 4501 / 4502 / 4507); host: `--host H` or SIM_HOST (default 127.0.0.1);
 * `--time-scale X` or SIM_TIME_SCALE; `--idle-unassign-ms N` or LANDBOT_IDLE_UNASSIGN_MS.
 * Chatwoot: `--chatwoot-port N` or CHATWOOT_SIM_PORT (default 4508), `--chatwoot-version V` or
 * CHATWOOT_SIM_VERSION (default 4.13.0), CHATWOOT_SIM_BOT_URL = an agent bot's outgoing_url on the API inbox.
 * Crisp: `--crisp-port N` or CRISP_SIM_PORT (default 4509), CRISP_SIM_HOOK_URL = the plugin's Web Hooks URL.
 * Stops on SIGINT / SIGTERM.
 */
import { LandbotSimulator } from './landbot';
import { SalesforceEnhancedChatSimulator } from './salesforceEnhancedChat';
import { TiledeskSimulator } from './tiledesk';
import { ChatwootSimulator } from './chatwoot';
import { CrispSimulator } from './crisp';

function arg(name: string): string | undefined {
	const args = process.argv.slice(2);
	const i = args.indexOf(`--${name}`);
	if (i >= 0 && i + 1 < args.length) return args[i + 1];
	const inline = args.find((a) => a.startsWith(`--${name}=`));
	return inline?.slice(name.length + 3);
}

function num(value: string | undefined, fallback: number): number {
	if (value === undefined || value === '') return fallback;
	const n = Number(value);
	if (!Number.isFinite(n) || n < 0) throw new Error(`not a number: ${value}`);
	return n;
}

async function main(): Promise<void> {
	const host = arg('host') ?? process.env.SIM_HOST ?? '127.0.0.1';
	const timeScale = num(arg('time-scale') ?? process.env.SIM_TIME_SCALE, 1);
	const landbot = new LandbotSimulator({
		host,
		port: num(arg('landbot-port') ?? process.env.LANDBOT_SIM_PORT, 4501),
		timeScale,
		idleUnassignMs: num(arg('idle-unassign-ms') ?? process.env.LANDBOT_IDLE_UNASSIGN_MS, 0),
		sysMessageOnUnassign: (arg('sys-message-on-unassign') ?? process.env.LANDBOT_SYS_MESSAGE_ON_UNASSIGN) === 'true',
	});
	const tiledesk = new TiledeskSimulator({
		host,
		port: num(arg('tiledesk-port') ?? process.env.TILEDESK_SIM_PORT, 4502),
		timeScale,
	});
	const enhancedChat = new SalesforceEnhancedChatSimulator({
		host,
		port: num(arg('enhanced-chat-port') ?? process.env.ENHANCED_CHAT_SIM_PORT, 4507),
		timeScale,
		orgId: '00D5e000000AbCd',
		deploymentName: 'Handoff_Web',
	});
	const chatwoot = new ChatwootSimulator({
		host,
		port: num(arg('chatwoot-port') ?? process.env.CHATWOOT_SIM_PORT, 4508),
		timeScale,
		version: arg('chatwoot-version') ?? process.env.CHATWOOT_SIM_VERSION ?? '4.13.0',
	});
	const crisp = new CrispSimulator({
		host,
		port: num(arg('crisp-port') ?? process.env.CRISP_SIM_PORT, 4509),
		timeScale,
	});
	await landbot.start();
	await tiledesk.start();
	await enhancedChat.start();
	await chatwoot.start();
	await crisp.start();
	const crispDemo = crisp.seedWebsite({ pluginHookUrl: process.env.CRISP_SIM_HOOK_URL });
	const chatwootDemo = chatwoot.seedAccount({ botUrl: process.env.CHATWOOT_SIM_BOT_URL, connectBot: !!process.env.CHATWOOT_SIM_BOT_URL });

	const web = landbot.createChannel({ name: 'Demo web bot', type: 'landbot' });
	const whatsapp = landbot.createChannel({ name: 'Demo WhatsApp', type: 'whatsapp' });
	const customer = landbot.createCustomer({ channel_id: web.id, name: 'Demo Customer', email: 'customer@example.com' });
	const demo = tiledesk.seedDemo();

	const lines = [
		'Landbot simulator',
		`  API base URL   ${landbot.baseUrl}/   (Authorization: Token <token>)`,
		...Object.entries(landbot.tokens).map(([token, id]) => `  agent ${id}      token ${token}`),
		`  channels       ${web.id} (landbot), ${whatsapp.id} (whatsapp); customer ${customer.id}`,
		`  control        ${landbot.controlUrl}`,
		...LandbotSimulator.controlRoutes.map((r) => `    ${r}`),
		'',
		'Tiledesk simulator',
		`  API base URL   ${tiledesk.baseUrl}   (POST /auth/signin, then Authorization: JWT <jwt>; or HTTP Basic)`,
		`  project        ${demo.project._id}`,
		`  owner          ${demo.owner.email} / ${demo.owner.password}`,
		...demo.agents.map((a, i) => `  agent          ${a.email} / ${a.password}  (id ${a._id}${i === 1 ? ', unavailable' : ''})`),
		`  control        ${tiledesk.controlUrl}`,
		...TiledeskSimulator.controlRoutes.map((r) => `    ${r}`),
		'',
		'Salesforce Enhanced Chat (MIAW) simulator',
		`  URL            ${enhancedChat.baseUrl}   (plays https://<mydomain>.my.salesforce-scrt.com)`,
		`  org id         ${enhancedChat.orgId}`,
		`  deployment     ${enhancedChat.deploymentName}   (esDeveloperName)`,
		`  control        ${enhancedChat.controlUrl}`,
		...SalesforceEnhancedChatSimulator.controlRoutes.map((r) => `    ${r}`),
		'',
		`Chatwoot simulator (server version ${chatwoot.version})`,
		`  base URL       ${chatwoot.baseUrl}   (account ${chatwootDemo.accountId}; header api_access_token)`,
		`  user token     ${chatwootDemo.userToken}   (${chatwootDemo.admin.email}, administrator)`,
		`  API inbox      ${chatwootDemo.apiInbox.id}, identifier ${chatwootDemo.apiInbox.identifier}; web inbox ${chatwootDemo.webInbox.id}`,
		...(chatwootDemo.bot ? [`  agent bot      ${chatwootDemo.bot.id}, token ${chatwootDemo.bot.accessToken} → ${chatwootDemo.bot.outgoingUrl}`] : []),
		`  control        ${chatwoot.controlUrl}`,
		...ChatwootSimulator.controlRoutes.map((r) => `    ${r}`),
		'',
		'Crisp simulator',
		`  REST base URL  ${crisp.baseUrl}/v1   (Authorization: Basic base64(identifier:key), X-Crisp-Tier)`,
		`  website        ${crispDemo.websiteId}`,
		`  plugin token   ${crispDemo.pluginToken.identifier} : ${crispDemo.pluginToken.key}   (tier plugin, plugin ${crispDemo.pluginId})`,
		`  hook secret    ${crispDemo.pluginSecret}   (plugin Web Hooks → ${process.env.CRISP_SIM_HOOK_URL ?? 'none; PUT /_control/plugin_hook'})`,
		`  website token  ${crispDemo.websiteToken.identifier} : ${crispDemo.websiteToken.key}   (tier website)`,
		...crispDemo.operators.map((o) => `  operator       ${o.nickname} <${o.email}>  (user_id ${o.userId})`),
		`  control        ${crisp.controlUrl}`,
		...CrispSimulator.controlRoutes.map((r) => `    ${r}`),
	];
	console.log(lines.join('\n'));

	const shutdown = async (): Promise<void> => {
		await chatwoot.stop();
		await crisp.stop();
		await Promise.all([landbot.stop(), tiledesk.stop(), enhancedChat.stop()]);
		process.exit(0);
	};
	process.on('SIGINT', () => void shutdown());
	process.on('SIGTERM', () => void shutdown());
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
