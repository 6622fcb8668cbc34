// A small typed event hub for the pushed events: the services emit into one, and a transport's client
// side feeds one from its channel (IPC events, Server-Sent Events) and hands the page `LayerwiseEvents`.
import { EVENT_NAMES, type ApiEventPayloads, type EventListener, type EventName, type LayerwiseEvents, type Unsubscribe } from './contract.js';

export class EventHub {
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();

  /** Subscribes; the returned function unsubscribes (calling it twice is harmless). */
  on<E extends EventName>(name: E, listener: EventListener<E>): Unsubscribe {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    const fn = listener as (payload: never) => void;
    set.add(fn);
    return () => void set.delete(fn);
  }

  /** Subscribes to every event (a transport forwarding them all). */
  onAny(listener: <E extends EventName>(name: E, payload: ApiEventPayloads[E]) => void): Unsubscribe {
    const offs = EVENT_NAMES.map((name) => this.on(name, (payload) => listener(name, payload)));
    return () => offs.forEach((off) => off());
  }

  /** Calls every listener; one that throws does not stop the others (the error is reported to `onError`). */
  emit<E extends EventName>(name: E, payload: ApiEventPayloads[E], onError?: (error: unknown) => void): void {
    for (const fn of [...(this.listeners.get(name) ?? [])]) {
      try {
        (fn as EventListener<E>)(payload);
      } catch (error) {
        onError?.(error);
      }
    }
  }

  listenerCount(name?: EventName): number {
    if (name) return this.listeners.get(name)?.size ?? 0;
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  /** The `onX(listener)` face of the hub. */
  asEvents(): LayerwiseEvents {
    return Object.fromEntries(EVENT_NAMES.map((name) => [name, (listener: EventListener<typeof name>) => this.on(name, listener)])) as LayerwiseEvents;
  }
}
