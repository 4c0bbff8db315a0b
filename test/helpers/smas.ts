import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseXmlTree, type XNode } from '../../src/adapters/xml-tree.js';
import type { TestGateway } from './gateway.js';

// Helpers for the SMAS tests: the demo SMAS key of a test gateway, SOAP posts by hand, and an
// XML batch as the plain object a WSDL-generated client (node-soap) takes.

export function smasKey(gw: TestGateway): string {
  const creds = gw.demoCredentials ?? JSON.parse(readFileSync(join(gw.dir, 'demo-credentials.json'), 'utf8'));
  return creds.vendors.smas;
}

/** An XML element as an object: leaves are strings, repeated children arrays (in document order). */
export function xmlToObject(xml: string): Record<string, unknown> {
  const toObj = (n: XNode): unknown => {
    if (n.children.length === 0) return n.text.trim();
    const o: Record<string, unknown> = {};
    for (const c of n.children) {
      const v = toObj(c);
      if (!Object.hasOwn(o, c.name)) o[c.name] = v;
      else if (Array.isArray(o[c.name])) (o[c.name] as unknown[]).push(v);
      else o[c.name] = [o[c.name], v];
    }
    return o;
  };
  return toObj(parseXmlTree(xml, { maxDepth: 64, maxElements: 1e7, maxChars: 1e9 })) as Record<string, unknown>;
}

export async function postSoap(gw: { url: string }, envelope: string, headers: Record<string, string> = {}) {
  const res = await fetch(gw.url + '/soap/smas/v1', { method: 'POST', headers: { 'content-type': 'text/xml; charset=utf-8', ...headers }, body: envelope });
  const text = await res.text();
  return { status: res.status, type: res.headers.get('content-type'), text, tree: (() => { try { return parseXmlTree(text, { maxDepth: 64, maxElements: 1e7, maxChars: 1e9 }); } catch { return null; } })() };
}

/** The text of the first descendant element named `name` (document order). */
export function find(node: XNode | null | undefined, name: string): XNode | undefined {
  if (!node) return undefined;
  if (node.name === name) return node;
  for (const c of node.children) {
    const f = find(c, name);
    if (f) return f;
  }
  return undefined;
}

export function findAll(node: XNode | null | undefined, name: string, out: XNode[] = []): XNode[] {
  if (!node) return out;
  if (node.name === name) out.push(node);
  for (const c of node.children) findAll(c, name, out);
  return out;
}

export const textOf = (node: XNode | null | undefined, name: string): string | undefined => find(node, name)?.text;
