import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * Salesforce's legacy Chat REST API ("Live Agent"). It has no account secret: a visitor session's
 * key (returned by System/SessionId) is the only secret, and it travels in the workflow items. The
 * credential holds where the chat server is and which deployment and button chats go to; every
 * request gets the X-LIVEAGENT-API-VERSION header from it.
 *
 * Salesforce retired legacy Chat on 2026-02-14 (Enhanced Chat replaces it).
 */
export class SalesforceLiveAgentApi implements ICredentialType {
	name = 'salesforceLiveAgentApi';

	displayName = 'Salesforce Live Agent (Legacy Chat) API';

	icon: Icon = {
		light: 'file:../nodes/SalesforceLiveAgent/salesforceLiveAgent.svg',
		dark: 'file:../nodes/SalesforceLiveAgent/salesforceLiveAgent.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-salesforce-live-agent-legacy-chat-api';

	properties: INodeProperties[] = [
		{
			displayName:
				'Salesforce retired legacy Chat on 2026-02-14 in favour of Enhanced Chat (Messaging for In-App and Web). This credential is for orgs and servers that still answer the legacy Chat REST API.',
			name: 'retirementNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Chat API Endpoint',
			name: 'chatApiEndpoint',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://d.la1-c1-ia2.salesforceliveagent.com/chat/rest/',
			description:
				'Setup → Chat Settings → Chat API Endpoint. The host alone is enough: "https://" and "/chat/rest" are added when missing.',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			required: true,
			default: '56',
			description: 'Sent as X-LIVEAGENT-API-VERSION with every request',
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '00D5e000000AbCd',
			description: 'The Salesforce org ID (Setup → Company Information, or the embedded chat code snippet)',
		},
		{
			displayName: 'Deployment ID',
			name: 'deploymentId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '5725e000000AbCd',
			description: 'The chat deployment\'s ID (Setup → Deployments, or the embedded chat code snippet)',
		},
		{
			displayName: 'Button ID',
			name: 'buttonId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '5735e000000AbCd',
			description:
				'The chat button whose queue gets the chats (Setup → Chat Buttons & Invitations). Start Chat can override it per chat.',
		},
	];

	// Not a secret: the API version header every Chat REST call carries.
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				'X-LIVEAGENT-API-VERSION': '={{String($credentials.apiVersion).trim()}}',
			},
		},
	};

	// Visitor/Availability needs no session: it checks the endpoint and the organization and deployment IDs.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{(/^https?:\\/\\//i.test($credentials.chatApiEndpoint.trim()) ? "" : "https://") + $credentials.chatApiEndpoint.trim().replace(/\\/+$/, "").replace(/(?:\\/chat(?:\\/rest)?)?$/i, "/chat/rest")}}',
			url: '/Visitor/Availability',
			method: 'GET',
			qs: {
				org_id: '={{$credentials.organizationId.trim()}}',
				deployment_id: '={{$credentials.deploymentId.trim()}}',
				'Availability.ids': '={{$credentials.buttonId.trim()}}',
			},
		},
	};
}
