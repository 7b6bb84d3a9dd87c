import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import type { INodeParameters, INodeProperties, INodeType } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

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

// What a user imports: every template's nodes of this package must use parameters the node has,
// with values it offers — a typo would otherwise only show in the end-to-end suite or in a user's n8n.
const ours: INodeType[] = [
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
/**
 * What n8n makes of a node with `usableAsTool` for an AI Agent (n8n 2.40.7, packages/cli
 * tool-generation/ai-tools.ts): the type `<name>Tool`, with its tool description fields first.
 */
function asTool(node: INodeType): INodeType {
	const { description } = node;
	const toolFields: INodeProperties[] = [
		{
			displayName: 'Tool Description',
			name: 'descriptionType',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Set Automatically', value: 'auto' },
				{ name: 'Set Manually', value: 'manual' },
			],
			default: 'auto',
		},
		{ displayName: 'Description', name: 'toolDescription', type: 'string', required: true, default: description.description, displayOptions: { show: { descriptionType: ['manual'] } } },
	];
	return { ...node, description: { ...description, name: `${description.name}Tool`, properties: [...toolFields, ...description.properties] } } as INodeType;
}
const byType = new Map(
	ours.flatMap((node) => {
		const entries: Array<[string, INodeType]> = [[`n8n-nodes-handoff.${node.description.name}`, node]];
		if (node.description.usableAsTool) entries.push([`n8n-nodes-handoff.${node.description.name}Tool`, asTool(node)]);
		return entries;
	}),
);

interface TemplateNode {
	name: string;
	type: string;
	typeVersion: number;
	parameters: INodeParameters;
	credentials?: Record<string, { id: string; name: string }>;
}

const dir = path.resolve(__dirname, '../../templates');
const templates = readdirSync(dir)
	.filter((file) => file.endsWith('.json'))
	.map((file) => ({ file, workflow: JSON.parse(readFileSync(path.join(dir, file), 'utf8')) }));

const isExpression = (value: unknown) => typeof value === 'string' && value.startsWith('=');

/** The properties the node shows for these values (n8n drops the others' values on save). */
function shownProperties(nodeType: INodeType, parameters: INodeParameters, node: TemplateNode): INodeProperties[] {
	const values = NodeHelpers.getNodeParameters(nodeType.description.properties, parameters, true, false, node, nodeType.description) ?? {};
	return nodeType.description.properties.filter((property) =>
		NodeHelpers.displayParameter(values, property, node, nodeType.description),
	);
}

describe('templates', () => {
	it('are there', () => {
		expect(templates.length).toBeGreaterThanOrEqual(15);
	});

	describe.each(templates)('$file', ({ workflow }) => {
		const nodes = workflow.nodes as TemplateNode[];

		it('connects only nodes that exist', () => {
			const names = new Set(nodes.map((node) => node.name));
			for (const [from, outputs] of Object.entries(workflow.connections as Record<string, Record<string, unknown[][]>>)) {
				expect(names).toContain(from);
				for (const connections of Object.values(outputs)) {
					for (const connection of connections.flat() as Array<{ node: string }>) expect(names).toContain(connection.node);
				}
			}
		});

		it('uses only parameters and values this package\'s nodes offer, and their credential types', () => {
			for (const node of nodes.filter((n) => n.type.startsWith('n8n-nodes-handoff.'))) {
				const nodeType = byType.get(node.type);
				expect({ node: node.name, known: Boolean(nodeType) }).toEqual({ node: node.name, known: true });
				const { description } = nodeType as INodeType;
				expect(([] as number[]).concat(description.version)).toContain(node.typeVersion);

				const shown = shownProperties(nodeType as INodeType, node.parameters, node);
				const dropped = Object.keys(node.parameters).filter((key) => !shown.some((property) => property.name === key));
				expect({ node: node.name, dropped }).toEqual({ node: node.name, dropped: [] });

				for (const property of shown) {
					const value = node.parameters[property.name];
					if (value === undefined || isExpression(value)) continue;
					const offered = (property.options ?? []).map((option) => (option as { value?: unknown }).value);
					if (property.type === 'options' && !property.typeOptions?.loadOptionsMethod) {
						expect({ node: node.name, [property.name]: offered.includes(value) }).toEqual({ node: node.name, [property.name]: true });
					}
					if (property.type === 'multiOptions' && !property.typeOptions?.loadOptionsMethod) {
						const unknown = (value as unknown[]).filter((v) => !offered.includes(v));
						expect({ node: node.name, [property.name]: unknown }).toEqual({ node: node.name, [property.name]: [] });
					}
				}

				const declared = (description.credentials ?? []).map((credential) => credential.name);
				for (const credentialType of Object.keys(node.credentials ?? {})) expect(declared).toContain(credentialType);
			}
		});
	});
});
