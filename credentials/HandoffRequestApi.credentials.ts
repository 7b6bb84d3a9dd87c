import type { Icon, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The shared secret a bot sends with its handoff call (Landbot's Webhook block, any bot that makes an
 * HTTP request), checked by the Handoff Request Trigger. The same two fields as n8n's Header Auth
 * (name and value), so the header and value of a Header Auth credential can be copied over unchanged
 * and the bot keeps sending what it sends. The secret is only received, never sent: there is no
 * request to test, so the trigger tests it (`testedBy`).
 */
export class HandoffRequestApi implements ICredentialType {
	name = 'handoffRequestApi';

	displayName = 'Handoff Request API';

	icon: Icon = {
		light: 'file:../nodes/HandoffRequest/handoffRequest.svg',
		dark: 'file:../nodes/HandoffRequest/handoffRequest.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-handoff-request-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-Handoff-Secret',
			required: true,
			description: 'The request header your bot puts the secret in (Landbot: the Webhook block\'s "Customize headers")',
		},
		{
			displayName: 'Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A long random string (e.g. the output of "openssl rand -hex 24"); the bot sends it as the header\'s value. Calls without it get 401.',
		},
	];
}
