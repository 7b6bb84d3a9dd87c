import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/**
 * The Botpress "Human in the Loop API" integration. Botpress itself has no secret: the webhook ID in
 * the URL is the only one. The optional shared secret header is for users who put a proxy in front
 * of n8n (the proxy adds the header to Botpress's calls, the Botpress HITL Trigger checks it); the
 * Botpress HITL node sends it too, for a proxy on that side.
 */
export class BotpressHitlApi implements ICredentialType {
	name = 'botpressHitlApi';

	displayName = 'Botpress HITL API';

	icon: Icon = {
		light: 'file:../nodes/BotpressHitl/botpress.svg',
		dark: 'file:../nodes/BotpressHitl/botpress.dark.svg',
	};

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-botpress-hitl-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://webhook.botpress.cloud/3f2c1a9e-…',
			description:
				'The Webhook URL the "Human in the Loop API" integration shows in Botpress (Integrations → HITL API). Agent messages, assignments and Stop HITL are posted under it. Change the host only for a proxy or a local simulator.',
		},
		{
			displayName: 'Shared Secret Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-Handoff-Secret',
			description: 'The request header that carries the Shared Secret (used only when one is set)',
		},
		{
			displayName: 'Shared Secret',
			name: 'sharedSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. Botpress sends no secret of its own (the webhook IDs in both URLs are the only secrets). If a proxy in front of n8n adds this header to Botpress\'s calls, the Botpress HITL Trigger refuses calls without it (401); the Botpress HITL node sends it with every call.',
		},
	];

	/** Adds the shared secret header, only when a secret is set (an empty name means the default one). */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const secret = String(credentials.sharedSecret ?? '');
		if (secret === '') return requestOptions;
		const name = String(credentials.headerName ?? '').trim() || 'X-Handoff-Secret';
		const headers: IDataObject = { ...(requestOptions.headers ?? {}), [name]: secret };
		return { ...requestOptions, headers };
	}

	/**
	 * Botpress has no read endpoint, and every HITL call changes a conversation. A GET on the
	 * webhook URL without a body is answered 200 by the integration, which ignores requests with an
	 * empty body before looking at the path; an unknown webhook ID is a 404. So the test proves the
	 * URL is reachable and names an installed integration, and touches no conversation.
	 */
	test: ICredentialTestRequest = {
		request: {
			method: 'GET',
			url: '={{$credentials.webhookUrl.trim().replace(/\\/+$/, "")}}',
		},
	};
}
