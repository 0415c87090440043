/** @module Test clean-up on real Docker: containers a test left behind removed, running or not. */
import type Docker from 'dockerode';

/** Removes each container listed, with force; one already gone is no failure. */
export async function removeContainers(docker: Docker, containers: ReadonlyArray<{ Id: string }>): Promise<void> {
  await Promise.all(
    containers.map((info) =>
      docker
        .getContainer(info.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}
