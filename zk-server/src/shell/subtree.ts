// Walks over a subtree as ZKUtil does for zkCli (ls -R, setAcl -R, deleteall), with explicit stacks
// and queues instead of recursion, in ZKUtil's visiting orders.

import { ZkShellClient } from './zk-shell-client';
import { Code, KeeperError } from '../protocol/keeper-errors';

function childPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/**
 * ZKUtil.visitSubTreeDFS: reads the root (so a missing root fails), visits it, then for each node
 * visits all its sorted children before descending into them. Nodes that vanish meanwhile are skipped.
 */
export async function visitSubtree(
  client: ZkShellClient,
  root: string,
  watch: boolean,
  visit: (path: string) => Promise<void> | void,
): Promise<void> {
  await client.getData(root, watch);
  await visit(root);
  const stack = [root];
  while (stack.length > 0) {
    const path = stack.pop()!;
    let children: string[];
    try {
      children = (await client.getChildren(path, watch)).sort();
    } catch (e) {
      if (e instanceof KeeperError && e.err === Code.NONODE) continue;
      throw e;
    }
    for (const child of children) await visit(childPath(path, child));
    for (let i = children.length - 1; i >= 0; i--) stack.push(childPath(path, children[i]!));
  }
}

/** ZKUtil.listSubTreeBFS: the root, then every descendant, breadth first, in server order. */
export async function listSubtree(client: ZkShellClient, root: string): Promise<string[]> {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    const path = tree[i]!;
    for (const child of await client.getChildren(path, false)) tree.push(childPath(path, child));
  }
  return tree;
}
