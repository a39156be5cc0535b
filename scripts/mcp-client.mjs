#!/usr/bin/env node
// A small MCP client for the portal's MCP server (the mcp-actions plugin), on
// the official MCP TypeScript SDK: lists the tools, or calls one.
//
//   node scripts/mcp-client.mjs tools
//   node scripts/mcp-client.mjs call environments.list-environment-problems \
//     '{"environment":["production"],"minSeverity":"high"}'
//
// The server is KLER_MCP_URL (default http://localhost:7007/api/mcp-actions/v1)
// and the token KLER_TOKEN: a static external access token, or a user's
// Backstage token (packages/backend/README.md, "MCP").
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

/** An MCP client connected to `url` with the bearer token, if any. */
export async function connectMcp(url, token) {
  const client = new Client({ name: 'kler-mcp-client', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    requestInit: {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    },
  });
  await client.connect(transport);
  return client;
}

function printTools(tools) {
  for (const tool of tools) {
    const hints = tool.annotations ?? {};
    const flags = [
      hints.readOnlyHint ? 'read-only' : 'writes',
      hints.destructiveHint ? 'destructive' : undefined,
    ].filter(Boolean);
    const inputs = Object.keys(tool.inputSchema?.properties ?? {});
    console.log(
      `${tool.name} (${flags.join(', ')}): ${hints.title ?? ''}\n  input: ${
        inputs.length > 0 ? inputs.join(', ') : '(none)'
      }`,
    );
  }
}

async function main([command, name, args]) {
  const url =
    process.env.KLER_MCP_URL ?? 'http://localhost:7007/api/mcp-actions/v1';
  if (command !== 'tools' && !(command === 'call' && name)) {
    console.error(
      'usage: mcp-client.mjs tools | call <tool> [<JSON arguments>]',
    );
    process.exit(2);
  }
  const client = await connectMcp(url, process.env.KLER_TOKEN);
  try {
    const server = client.getServerVersion();
    console.log(`connected to ${server?.name} ${server?.version} at ${url}`);
    if (command === 'tools') {
      const { tools } = await client.listTools();
      printTools(tools);
      return;
    }
    const result = await client.callTool({
      name,
      arguments: args ? JSON.parse(args) : {},
    });
    if (result.isError) {
      console.log(`error: ${result.content.map(c => c.text).join('\n')}`);
      process.exitCode = 1;
      return;
    }
    console.log(
      JSON.stringify(
        result.structuredContent ?? result.content.map(c => c.text),
        null,
        2,
      ),
    );
  } finally {
    await client.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).catch(error => {
    // The SDK's StreamableHTTPError carries the HTTP status as `code`.
    console.error(
      error.code === 401
        ? 'HTTP 401: the server wants a valid token in KLER_TOKEN'
        : error.message,
    );
    process.exit(1);
  });
}
