import { createServer, type ServerResponse } from 'node:http';
import { listenOnLoopback } from './loopback.js';

/** What the fake endpoint does with one request. */
export type Fault =
  | { kind: 'ok'; delayMs?: number }
  | { kind: 'error'; status: number; type: string; delayMs?: number }
  | { kind: 'reset' }
  | { kind: 'hang' };

export interface EcsRequest {
  action: string;
  input: Record<string, unknown>;
}

/**
 * A fake ECS endpoint on 127.0.0.1 speaking the AWS JSON 1.1 protocol the SDK uses
 * (`x-amz-target: AmazonEC2ContainerServiceV20141113.<Action>`). `decide` picks the fault for
 * each request; successful UpdateService calls answer with a new PRIMARY deployment.
 */
export async function startFakeEcs(decide: (request: EcsRequest, index: number) => Fault) {
  const requests: EcsRequest[] = [];
  const answer = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `req-${requests.length}` });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const action =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
      const request = { action, input };
      const fault = decide(request, requests.length);
      requests.push(request);
      if (fault.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault.kind === 'hang') return;
      const respond = () => {
        if (fault.kind === 'error') {
          answer(res, fault.status, { __type: fault.type, message: `${fault.type} injected` });
          return;
        }
        const service = typeof input.service === 'string' ? input.service : 'unknown';
        const taskDefinition = `arn:aws:ecs:us-east-1:123456789012:task-definition/${typeof input.taskDefinition === 'string' ? input.taskDefinition : service}:1`;
        answer(res, 200, {
          service: {
            serviceName: service,
            taskDefinition,
            deployments: [{ id: `ecs-svc/${requests.length}`, status: 'PRIMARY', taskDefinition }],
          },
        });
      };
      if (fault.delayMs) setTimeout(respond, fault.delayMs);
      else respond();
    });
  });
  const { baseUrl, close } = await listenOnLoopback(server);
  return { endpoint: baseUrl, requests, close };
}
