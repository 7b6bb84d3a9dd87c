import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IDataObject,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

/** A pasted token may come with the `JWT ` prefix Tiledesk's sign-in returns, or with none. */
function bareJwt(value: unknown): string {
	return String(value ?? '')
		.trim()
		.replace(/^(JWT|Bearer)\s+/i, '')
		.trim();
}

export class TiledeskApi implements ICredentialType {
	name = 'tiledeskApi';

	displayName = 'Tiledesk API';

	icon: Icon = { light: 'file:../nodes/Tiledesk/tiledesk.svg', dark: 'file:../nodes/Tiledesk/tiledesk.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-handoff/n8n-nodes-handoff#credential-tiledesk-api';

	properties: INodeProperties[] = [
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.tiledesk.com/v3',
			required: true,
			description:
				'The API root of your Tiledesk server. Tiledesk Cloud: https://api.tiledesk.com/v3. Self-hosted: your server\'s API address, e.g. https://tiledesk.example.com/api.',
		},
		{
			displayName: 'Project ID',
			name: 'projectId',
			type: 'string',
			default: '',
			required: true,
			placeholder: '65c5f3599faf2d04cd7da528',
			description:
				'The code after /project/ in the URL of any dashboard page; also shown at the top of the Project Settings page',
		},
		{
			displayName: 'Authentication',
			name: 'authType',
			type: 'options',
			options: [
				{
					name: 'Email and Password',
					value: 'password',
					description: 'HTTP Basic with a project member\'s login; nothing to refresh',
				},
				{
					name: 'JWT',
					value: 'jwt',
					description: 'A token from POST /auth/signin (does not expire by default)',
				},
			],
			default: 'password',
		},
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
			displayOptions: { show: { authType: ['password'] } },
			description:
				'A project member. Admin role is needed by the Tiledesk Trigger (webhook subscriptions) and to close conversations the user does not take part in.',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['password'] } },
		},
		{
			displayName: 'JWT',
			name: 'jwtToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			displayOptions: { show: { authType: ['jwt'] } },
			description: 'The "token" of POST /auth/signin, with or without its leading "JWT "',
		},
		{
			displayName: 'Project Shared Secret',
			name: 'sharedSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description:
				'Optional. Tiledesk opens a new conversation only with a message from a sender it knows; with the project\'s shared secret the Tiledesk node registers your end users itself. Dashboard → Project Settings → Visitor Authentication. If the project already uses one, enter it: generating a new one revokes the old.',
		},
	];

	/**
	 * Basic (email:password) is accepted on every project route; a JWT goes out as `JWT <token>`, not
	 * Bearer. A request that already carries an Authorization header (the node signing an end user in
	 * with its own token) keeps it.
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const headers: IDataObject = { ...(requestOptions.headers ?? {}) };
		const preset = Object.keys(headers).some((key) => key.toLowerCase() === 'authorization' && headers[key]);
		if (!preset) {
			headers.Authorization =
				credentials.authType === 'jwt'
					? `JWT ${bareJwt(credentials.jwtToken)}`
					: `Basic ${Buffer.from(`${String(credentials.email ?? '')}:${String(credentials.password ?? '')}`, 'utf8').toString('base64')}`;
		}
		return { ...requestOptions, headers };
	}

	// The project's detail (docs/platforms/tiledesk.md): documented, minimum role agent, one cached
	// document, on every server since 2019; wrong credentials get 401, non-members 403.
	// /departments answers without authentication; /{project}/project_users/me exists only since 2.10.104.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '=/projects/{{$credentials.projectId.trim()}}',
		},
	};
}
