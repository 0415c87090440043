/** @module This host's address on Docker's default bridge: where containers reach services running on the host. */
import type Docker from 'dockerode';
import { EdgeError } from '../base/errors.ts';

/** IPAM's gateway or, where Docker 20.10 leaves it out, the subnet's first address, which dockerd gives the bridge. */
export async function bridgeAddress(docker: Docker): Promise<string> {
  const config = (await docker.getNetwork('bridge').inspect()).IPAM?.Config?.[0] as { Gateway?: string; Subnet?: string } | undefined;
  if (config?.Gateway) return config.Gateway;
  const subnet = /^(\d+\.\d+\.\d+)\.0\/\d+$/.exec(config?.Subnet ?? '');
  if (!subnet) throw new EdgeError('ENGINE_UNAVAILABLE', `Docker's bridge network has no gateway and no subnet ending in .0: ${JSON.stringify(config)}`);
  return `${subnet[1]}.1`;
}
