import { existsSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import type {
	ICredentialType,
	INode,
	INodeParameters,
	INodeProperties,
	INodePropertyOptions,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
} from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';

import { BotpressHitlApi } from '../../credentials/BotpressHitlApi.credentials';
import { ChatwootApi } from '../../credentials/ChatwootApi.credentials';
import { CrispApi } from '../../credentials/CrispApi.credentials';
import { HandoffRequestApi } from '../../credentials/HandoffRequestApi.credentials';
import { LandbotApi } from '../../credentials/LandbotApi.credentials';
import { LiveChatApi } from '../../credentials/LiveChatApi.credentials';
import { SalesforceEnhancedChatApi } from '../../credentials/SalesforceEnhancedChatApi.credentials';
import { SalesforceLiveAgentApi } from '../../credentials/SalesforceLiveAgentApi.credentials';
import { TiledeskApi } from '../../credentials/TiledeskApi.credentials';
import { BotpressHitl } from '../../nodes/BotpressHitl/BotpressHitl.node';
import { BotpressHitlTrigger } from '../../nodes/BotpressHitl/BotpressHitlTrigger.node';
import { Chatwoot } from '../../nodes/Chatwoot/Chatwoot.node';
import { ChatwootTrigger } from '../../nodes/Chatwoot/ChatwootTrigger.node';
import { Crisp } from '../../nodes/Crisp/Crisp.node';
import { CrispTrigger } from '../../nodes/Crisp/CrispTrigger.node';
import { HandoffRequestTrigger } from '../../nodes/HandoffRequest/HandoffRequestTrigger.node';
import { Landbot } from '../../nodes/Landbot/Landbot.node';
import { LandbotTrigger } from '../../nodes/Landbot/LandbotTrigger.node';
import { LiveChat } from '../../nodes/LiveChat/LiveChat.node';
import { LiveChatTrigger } from '../../nodes/LiveChat/LiveChatTrigger.node';
import { RelayGuard } from '../../nodes/RelayGuard/RelayGuard.node';
import { SalesforceEnhancedChat } from '../../nodes/SalesforceEnhancedChat/SalesforceEnhancedChat.node';
import { SalesforceEnhancedChatTrigger } from '../../nodes/SalesforceEnhancedChat/SalesforceEnhancedChatTrigger.node';
import { SalesforceLiveAgent } from '../../nodes/SalesforceLiveAgent/SalesforceLiveAgent.node';
import { Tiledesk } from '../../nodes/Tiledesk/Tiledesk.node';
import { TiledeskTrigger } from '../../nodes/Tiledesk/TiledeskTrigger.node';

// What a user sees of the nodes in n8n's editor before running anything: the node panel (search by
// name or codex alias, the description), the canvas (the subtitle) and the "Docs" links.
const root = path.resolve(__dirname, '../..');
const pkg = require(path.join(root, 'package.json')) as { name: string; repository: { url: string } };
const repository = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');

const nodes: INodeType[] = [
	new BotpressHitl(),
	new BotpressHitlTrigger(),
	new Chatwoot(),
	new ChatwootTrigger(),
	new Crisp(),
	new CrispTrigger(),
	new HandoffRequestTrigger(),
	new Landbot(),
	new LandbotTrigger(),
	new LiveChat(),
	new LiveChatTrigger(),
	new RelayGuard(),
	new SalesforceEnhancedChat(),
	new SalesforceEnhancedChatTrigger(),
	new SalesforceLiveAgent(),
	new Tiledesk(),
	new TiledeskTrigger(),
];
const credentials: ICredentialType[] = [
	new BotpressHitlApi(),
	new ChatwootApi(),
	new CrispApi(),
	new HandoffRequestApi(),
	new LandbotApi(),
	new LiveChatApi(),
	new SalesforceEnhancedChatApi(),
	new SalesforceLiveAgentApi(),
	new TiledeskApi(),
];
const credentialByName = new Map(credentials.map((credential) => [credential.name, credential]));

interface Codex {
	node: string;
	categories?: string[];
	alias?: string[];
	resources?: { primaryDocumentation?: Array<{ url: string }>; credentialDocumentation?: Array<{ url: string }> };
}
const codexFiles = (readdirSync(path.join(root, 'nodes'), { recursive: true }) as string[])
	.filter((file) => file.endsWith('.node.json'))
	.map((file) => path.join(root, 'nodes', file));
const codexByNode = new Map(
	codexFiles.map((file) => {
		const codex = JSON.parse(readFileSync(file, 'utf8')) as Codex;
		return [codex.node, codex];
	}),
);

const isTrigger = (node: INodeType): boolean => node.description.group.includes('trigger');
const versionsOf = (node: INodeType): number[] => {
	const { version } = node.description;
	return Array.isArray(version) ? version : [version];
};

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to dashes, repeats numbered. */
function anchorsOf(markdown: string): Set<string> {
	const anchors = new Set<string>();
	const seen = new Map<string, number>();
	let fenced = false;
	for (const line of markdown.split('\n')) {
		if (line.startsWith('```')) fenced = !fenced;
		const heading = !fenced && /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
		if (!heading) continue;
		const slug = heading[1]
			.toLowerCase()
			.replace(/[^\p{L}\p{N}\s_-]/gu, '')
			.replace(/\s/g, '-');
		const count = seen.get(slug) ?? 0;
		seen.set(slug, count + 1);
		anchors.add(count === 0 ? slug : `${slug}-${count}`);
	}
	return anchors;
}

/** Why a link does not lead to this package's own documentation, or undefined when it does. */
function problemWithLink(url: string | undefined): string | undefined {
	if (!url) return 'no link';
	if (!url.startsWith(`${repository}#`) && !url.startsWith(`${repository}/blob/main/`)) {
		return `${url} is not in ${repository}`;
	}
	const [location, anchor] = url.split('#');
	const file = location === repository ? 'README.md' : location.slice(`${repository}/blob/main/`.length);
	if (!existsSync(path.join(root, file))) return `${url}: no ${file} in the repository`;
	if (anchor !== undefined && !anchorsOf(readFileSync(path.join(root, file), 'utf8')).has(anchor)) {
		return `${url}: ${file} has no heading #${anchor}`;
	}
	return undefined;
}

const nodeTypes: INodeTypes = {
	getByName: (type: string): INodeType | IVersionedNodeType => byType(type),
	getByNameAndVersion: (type: string): INodeType => byType(type),
	getKnownTypes: () => ({}),
};
function byType(type: string): INodeType {
	const found = nodes.find((node) => `${pkg.name}.${node.description.name}` === type);
	if (!found) throw new Error(`unknown node type ${type}`);
	return found;
}

/** The subtitle as the editor shows it on the canvas: evaluated against the node's parameters with their defaults. */
function subtitleOf(node: INodeType, typeVersion: number, parameters: INodeParameters): unknown {
	const instance: INode = {
		id: 'node',
		name: node.description.defaults.name ?? node.description.displayName,
		type: `${pkg.name}.${node.description.name}`,
		typeVersion,
		position: [0, 0],
		parameters: {},
	};
	instance.parameters =
		NodeHelpers.getNodeParameters(node.description.properties, parameters, true, false, instance, node.description) ??
		{};
	const workflow = new Workflow({ nodes: [instance], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(instance, node.description.subtitle, 'internal', {});
}

const shown = (property: INodeProperties, values: INodeParameters, node: INodeType, typeVersion: number): boolean =>
	NodeHelpers.displayParameter(
		values,
		property,
		{ typeVersion, parameters: values } as unknown as INode,
		node.description,
	);
const optionsOf = (property: INodeProperties): INodePropertyOptions[] =>
	(property.options ?? []) as INodePropertyOptions[];

describe.each(nodes.map((node) => [node.description.displayName, node] as const))('%s', (_name, node) => {
	const { description } = node;
	const codex = codexByNode.get(`${pkg.name}.${description.name}`);

	it('has a description that is one or more whole sentences', () => {
		expect(description.description.length).toBeGreaterThanOrEqual(20);
		expect(description.description).toMatch(/[^.]\.$/);
		expect(description.description).toMatch(/^[A-Z]/);
	});

	it(isTrigger(node) ? 'says it starts the workflow' : 'says what it does, not what a trigger does', () => {
		if (isTrigger(node)) {
			expect(description.description).toMatch(/^Starts the workflow /);
		} else {
			expect(description.description).not.toMatch(/^Starts the workflow/i);
			expect(description.defaults.name).not.toMatch(/trigger/i);
		}
	});

	it("links to this package's documentation, not the vendor's", () => {
		expect(problemWithLink(description.documentationUrl)).toBeUndefined();
		for (const { name } of description.credentials ?? []) {
			expect(problemWithLink(credentialByName.get(name)?.documentationUrl)).toBeUndefined();
		}
	});

	it('has a codex file with aliases and the same documentation links', () => {
		expect(codex).toBeDefined();
		expect(codex!.categories).toContain('Communication');
		expect(codex!.alias?.map((alias) => alias.toLowerCase())).toContain('handoff');
		expect(new Set(codex!.alias?.map((alias) => alias.toLowerCase())).size).toBe(codex!.alias?.length);
		expect(codex!.resources?.primaryDocumentation?.map(({ url }) => url)).toEqual([description.documentationUrl]);
		const credentialLinks = (description.credentials ?? []).map(({ name }) => credentialByName.get(name)?.documentationUrl);
		expect(codex!.resources?.credentialDocumentation?.map(({ url }) => url)).toEqual(credentialLinks);
	});

	if (!isTrigger(node)) {
		it('has a subtitle naming every operation (and its resource) as the operation list does', () => {
			// A node of one resource (Relay Guard) has no resource parameter.
			const resource = description.properties.find((property) => property.name === 'resource');
			const resources = resource ? optionsOf(resource) : [{ value: undefined, name: '' }];
			const seen: string[] = [];
			for (const typeVersion of versionsOf(node)) {
				for (const { value: resourceValue, name: resourceName } of resources) {
					const operations = description.properties.filter(
						(property) =>
							property.name === 'operation' &&
							shown(property, resource ? { resource: resourceValue } : {}, node, typeVersion),
					);
					expect(operations).toHaveLength(1);
					for (const { value, name } of optionsOf(operations[0])) {
						const subtitle = subtitleOf(node, typeVersion, resource ? { resource: resourceValue, operation: value } : { operation: value });
						expect(subtitle).toBe(resources.length > 1 ? `${name}: ${resourceName}` : name);
						seen.push(`${resourceValue}.${value}`);
					}
				}
			}
			expect(seen.length).toBeGreaterThan(1);
		});
	} else if (description.properties.some((property) => property.name === 'events')) {
		it('has a subtitle listing the chosen events as the events list names them', () => {
			for (const typeVersion of versionsOf(node)) {
				const events = description.properties.filter(
					(property) => property.name === 'events' && shown(property, {}, node, typeVersion),
				);
				expect(events).toHaveLength(1);
				const options = optionsOf(events[0]);
				for (const chosen of [...options.map((option) => [option]), options]) {
					const subtitle = subtitleOf(node, typeVersion, { events: chosen.map(({ value }) => value) as string[] });
					expect(subtitle).toBe(chosen.map(({ name }) => name).join(', '));
				}
			}
		});
	} else {
		// A trigger without events (Handoff Request Trigger): its subtitle is plain text for its defaults.
		it('has a subtitle that reads as text with the default parameters', () => {
			for (const typeVersion of versionsOf(node)) {
				const subtitle = subtitleOf(node, typeVersion, {});
				expect(typeof subtitle).toBe('string');
				expect(String(subtitle)).not.toMatch(/undefined|\[object/);
			}
		});
	}

	if (description.properties.some((property) => property.name === 'channelId' && !property.displayOptions)) {
		it('names the channel in the subtitle once one is picked', () => {
			const typeVersion = Math.max(...versionsOf(node));
			expect(subtitleOf(node, typeVersion, { channelId: 4242, events: ['message'] })).toBe('Channel 4242: Message');
		});
	}
});

it('every node has a codex file and every codex file a node', () => {
	expect([...codexByNode.keys()].sort()).toEqual(nodes.map((node) => `${pkg.name}.${node.description.name}`).sort());
	expect(codexByNode.size).toBe(codexFiles.length);
});

it("every credential links to this package's documentation", () => {
	for (const credential of credentials) {
		expect([credential.name, problemWithLink(credential.documentationUrl)]).toEqual([credential.name, undefined]);
	}
});
