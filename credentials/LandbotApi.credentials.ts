import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

export class LandbotApi implements ICredentialType {
	name = 'landbotApi';

	displayName = 'Landbot API';

	icon: Icon = { light: 'file:../nodes/Landbot/landbot.svg', dark: 'file:../nodes/Landbot/landbot.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-landbot-api';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				"An agent's API token (Landbot → Settings → Account → API token). Calls are made as that agent: \"Assign\" without an agent ID assigns to them.",
		},
		{
			displayName: 'Agent ID',
			name: 'agentId',
			type: 'string',
			default: '',
			description:
				'Optional. The ID of the agent who owns the token. Needed only by trigger filters on conversations "assigned to the credential\'s agent".',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.landbot.io/v1',
			description: "Landbot's Platform API root. Change it only for a proxy or a local simulator.",
		},
	];

	// Landbot wants the literal word "Token", not "Bearer".
	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Token {{$credentials.apiToken}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/channels/',
			qs: { limit: 1 },
		},
	};
}
