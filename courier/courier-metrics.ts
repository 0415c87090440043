/**
 * @module The couriers' metrics and health, added to the process's Observability: requests answered and
 * retried, the backlog, the roots watched, and "unavailable" while a courier is not watching its folder.
 */
import { Counter } from 'prom-client';
import type { Observability } from '../runtime/observability.ts';

/** A courier as the gauges and the health check see it. */
export interface CourierView {
  /** `retrying`: request files whose last try failed for the platform's sake, waiting for the next or on it. */
  readonly backlog: { queued: number; active: number; retrying: number };
  /** False until the first scan of the root is done, and again once the courier stops. */
  readonly watching: boolean;
}

/** The couriers of one process (a fleet courier runs one per root) count on the same metrics. */
export class CourierMetrics {
  #requests: Counter<'outcome'>;
  #retries: Counter<'code'>;
  #couriers: CourierView[] = [];

  constructor(observability: Observability) {
    const registers = [observability.registry];
    this.#requests = new Counter({
      name: 'edgecourier_courier_requests_total',
      help: 'Request files answered by the couriers, by outcome ("ok" or the error code).',
      labelNames: ['outcome'],
      registers,
    });
    this.#retries = new Counter({
      name: 'edgecourier_courier_retries_total',
      help: "Tries of request files that failed for the platform's sake and are tried again, by error code.",
      labelNames: ['code'],
      registers,
    });
    observability.gauge('edgecourier_courier_retrying', 'Request files being tried again after a platform failure.', () =>
      this.#sum((c) => c.backlog.retrying),
    );
    observability.gauge('edgecourier_courier_backlog', 'Request files queued or running in the couriers.', () =>
      this.#sum((c) => c.backlog.queued + c.backlog.active),
    );
    observability.gauge('edgecourier_roots_served', 'Synced folders a courier is watching.', () => this.#sum((c) => (c.watching ? 1 : 0)));
    observability.addHealthCheck(() => (this.#couriers.some((c) => !c.watching) ? 'a courier is not watching its folder' : undefined));
  }

  /** A courier wrote a result with this outcome. */
  request(outcome: string): void {
    this.#requests.inc({ outcome });
  }

  /** A courier's try of a request failed for the platform's sake with this code, and will be tried again. */
  retry(code: string): void {
    this.#retries.inc({ code });
  }

  /** Counts a courier in the gauges and the health check from now on; the function returned stops counting it. */
  add(courier: CourierView): () => void {
    this.#couriers.push(courier);
    return () => {
      this.#couriers = this.#couriers.filter((other) => other !== courier);
    };
  }

  #sum(of: (courier: CourierView) => number): number {
    return this.#couriers.reduce((sum, courier) => sum + of(courier), 0);
  }
}

/** One set per Observability: prom-client refuses a metric name registered twice. */
const byObservability = new WeakMap<Observability, CourierMetrics>();

/** The courier metrics on `observability`, made the first time a courier of the process asks. */
export function courierMetricsOf(observability: Observability): CourierMetrics {
  let metrics = byObservability.get(observability);
  if (!metrics) byObservability.set(observability, (metrics = new CourierMetrics(observability)));
  return metrics;
}
