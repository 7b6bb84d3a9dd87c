import type { Icon, ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Salesforce Enhanced Chat (Messaging for In-App and Web) as the customer: its API has no account
 * secret. Each conversation gets its own access token (a guest token, or one for a verified user),
 * which travels in the workflow items; the credential says which org and deployment to talk to.
 */
export class SalesforceEnhancedChatApi implements ICredentialType {
	name = 'salesforceEnhancedChatApi';

	displayName = 'Salesforce Enhanced Chat API';

	icon: Icon = {
		light: 'file:../nodes/SalesforceEnhancedChat/salesforceEnhancedChat.svg',
		dark: 'file:../nodes/SalesforceEnhancedChat/salesforceEnhancedChat.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-salesforce-enhanced-chat-api';

	properties: INodeProperties[] = [
		{
			displayName:
				'Copy these from Setup → Embedded Service Deployments → your Messaging for In-App and Web deployment (set to Custom Client) → Code Snippet',
			name: 'setupNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'SCRT URL',
			name: 'scrtUrl',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://mycompany.my.salesforce-scrt.com',
			description: 'The "Url" of the code snippet. The host alone is enough: "https://" is added when missing.',
		},
		{
			displayName: 'Organization ID',
			name: 'organizationId',
			type: 'string',
			required: true,
			default: '',
			placeholder: '00D5e000000AbCd',
			description: 'The "OrganizationId" of the code snippet (the 15-character org ID)',
		},
		{
			displayName: 'Deployment API Name',
			name: 'deploymentName',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'Handoff_Web',
			description: 'The "DeveloperName" of the code snippet (esDeveloperName in the API)',
		},
		{
			displayName: 'Capabilities Version',
			name: 'capabilitiesVersion',
			type: 'string',
			default: '1',
			description: 'Sent when an access token is requested; "1" unless Salesforce tells you otherwise',
		},
	];

	// Asking for a guest access token checks the URL, the org ID and the deployment together.
	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{(/^https?:\\/\\//i.test($credentials.scrtUrl.trim()) ? "" : "https://") + $credentials.scrtUrl.trim().replace(/\\/+$/, "")}}',
			url: '/iamessage/api/v2/authorization/unauthenticated/access-token',
			method: 'POST',
			body: {
				orgId: '={{$credentials.organizationId.trim()}}',
				esDeveloperName: '={{$credentials.deploymentName.trim()}}',
				capabilitiesVersion: '={{String($credentials.capabilitiesVersion || "1").trim()}}',
				platform: 'Web',
			},
		},
	};
}
