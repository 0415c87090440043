/**
 * @module The Docker network sandboxes with egress join, one per policy, and its rules: both checked before each
 * such sandbox starts, the network removed with its rules when its last user closes, and networks and rules of
 * other policies that nothing uses (a crashed process's) removed when an executor starts.
 */
import type Docker from 'dockerode';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { EdgeError } from '../base/errors.ts';
import { installEgressRules, installedPolicies, removeEgressRules } from './egress-firewall.ts';
import { EGRESS_LABEL, egressPolicy, resolversOf, type EgressPolicy } from './egress-policy.ts';

const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';

/**
 * The name servers Docker's embedded DNS forwards to, found as dockerd finds them: /etc/resolv.conf, or, where that
 * names only systemd-resolved's loopback stub, the servers systemd-resolved itself uses.
 */
export async function hostResolvers(): Promise<string[]> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  const resolvers = resolversOf(await read('/etc/resolv.conf'));
  return resolvers.length > 0 ? resolvers : resolversOf(await read('/run/systemd/resolve/resolv.conf'));
}

export interface EgressNetworkOptions {
  docker: Docker;
  /** Ranges the operator lets through (`--egress-allow`), IPv4 addresses or CIDR ranges. */
  allow: readonly string[];
}

export class EgressNetwork {
  #docker: Docker;
  #allow: readonly string[];
  #policy: Promise<EgressPolicy> | undefined;
  #ensuring: Promise<string> | undefined;
  #used = false;

  constructor(options: EgressNetworkOptions) {
    this.#docker = options.docker;
    this.#allow = options.allow;
  }

  /**
   * The network to start a sandbox with egress on, its rules in place: checked (and mended) for every such
   * sandbox, so that rules flushed meanwhile are back before it starts. Throws EGRESS_UNAVAILABLE when they cannot be.
   */
  ensure(): Promise<string> {
    // Sandboxes starting at once share one check.
    this.#ensuring ??= this.#ensure().finally(() => (this.#ensuring = undefined));
    return this.#ensuring;
  }

  async #ensure(): Promise<string> {
    const policy = await this.policy();
    // The rules first: this process never makes the network without them.
    await installEgressRules(policy);
    await this.#network(policy);
    this.#used = true;
    // Rules in another network namespace than the bridge's would hold nothing in.
    if (!existsSync(`/sys/class/net/${policy.bridge}`)) {
      throw new EdgeError(
        'EGRESS_UNAVAILABLE',
        `the app asks for network egress, but this executor cannot hold it in: the bridge ${policy.bridge} of the network ${policy.network} is not visible to this process, so it does not share the Docker host's network and its iptables rules would not apply`,
      );
    }
    return policy.network;
  }

  async #network(policy: EgressPolicy): Promise<void> {
    const existing = await this.#docker
      .getNetwork(policy.network)
      .inspect()
      .catch((error: { statusCode?: number }) => {
        if (error.statusCode === 404) return undefined;
        throw error;
      });
    if (!existing) {
      await this.#docker
        .createNetwork({
          Name: policy.network,
          Driver: 'bridge',
          CheckDuplicate: true,
          EnableIPv6: false,
          Labels: { [EGRESS_LABEL]: policy.id },
          // No traffic between the sandboxes on it; the policy refuses it as well.
          Options: { [BRIDGE_NAME_OPTION]: policy.bridge, 'com.docker.network.bridge.enable_icc': 'false' },
        })
        // Another process made it meanwhile.
        .catch((error: { statusCode?: number }) => {
          if (error.statusCode !== 409) throw error;
        });
      return;
    }
    // The rules match the bridge by name: a network of this name on another bridge would be held in by nothing.
    if (existing.Options?.[BRIDGE_NAME_OPTION] !== policy.bridge) {
      throw new EdgeError(
        'EGRESS_UNAVAILABLE',
        `the app asks for network egress, but the Docker network ${policy.network} exists with another bridge than ${policy.bridge}, which edgecourier's rules would not hold in; remove it (docker network rm ${policy.network})`,
      );
    }
  }

  /** This executor's policy: the operator's allowances and the host's name servers. */
  policy(): Promise<EgressPolicy> {
    this.#policy ??= hostResolvers().then((resolvers) => egressPolicy(this.#allow, resolvers));
    return this.#policy;
  }

  /** Removes the network and its rules once no container uses it; with another process's sandboxes on it, both stay. */
  async close(): Promise<void> {
    if (!this.#used) return;
    const policy = await this.policy();
    if (await this.#removeNetwork(policy.network)) await removeEgressRules(policy.id).catch(() => undefined);
  }

  /**
   * Removes the egress networks of other policies that no container uses, and the rules of every other policy
   * whose network is gone: what a crashed process left. Where iptables cannot be used (not root), rules stay: with
   * their bridge gone they match nothing.
   */
  async cleanup(): Promise<void> {
    const own = (await this.policy()).id;
    const kept = new Set([own]);
    for (const info of await this.#docker.listNetworks({ filters: { label: [EGRESS_LABEL] } })) {
      const id = info.Labels?.[EGRESS_LABEL];
      if (!id || id === own) continue;
      if (!(await this.#removeNetwork(info.Id))) kept.add(id);
    }
    const installed = await installedPolicies().catch(() => []);
    for (const id of installed.filter((id) => !kept.has(id))) await removeEgressRules(id).catch(() => undefined);
  }

  /** True when the network is gone now; the engine refuses while a container is on it. */
  #removeNetwork(nameOrId: string): Promise<boolean> {
    return this.#docker
      .getNetwork(nameOrId)
      .remove()
      .then(
        () => true,
        () => false,
      );
  }
}
