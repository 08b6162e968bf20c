import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, type Me, problemText, words } from '../api.js';

/** The id of the words that say what is wrong with the control at `place` (its id). */
export const problemId = (place: string) => `${place}-problem`;

/**
 * What is wrong with one field, said beside it; `alert` where it is the only thing the form says
 * (a form of several fields says it failed once, and moves the focus to the first field marked).
 */
export function FieldProblem({ place, text, alert = false }: { place: string; text?: string | null; alert?: boolean }) {
  return text ? <p id={problemId(place)} class="error" role={alert ? 'alert' : undefined}>{text}</p> : null;
}

/** A group of controls (a fieldset) described by its problem. */
export const describedBy = (place: string, text?: string | null) => (text ? { 'aria-describedby': problemId(place) } : {});

/** The attributes that tie a control to its problem: marked invalid, described by the words beside it. */
export const markedBy = (place: string, text?: string | null) => (text ? { 'aria-invalid': true as const, ...describedBy(place, text) } : {});

/**
 * Moves the focus to the control with the id given, once the render that says its problem beside it
 * is done (the control may only then be marked, or shown at all). Answers the function to call.
 */
export function useFocusAfterRender(): (id: string) => void {
  const [focusOn, setFocusOn] = useState<string | null>(null);
  useEffect(() => {
    if (!focusOn) return;
    document.getElementById(focusOn)?.focus();
    setFocusOn(null);
  }, [focusOn]);
  return setFocusOn;
}

/**
 * What an action came to, said as a status that takes the focus, so that the keyboard goes on from
 * what the page says happened: when the action's own control went with it (a report's form closes
 * once it is logged), rather than the page's body, from where the keyboard would start again at the
 * top; and when it stays (a response's form, emptied for the next one), from the control that sent
 * it, named by `say`'s `from`. Focus the user has since put elsewhere is left there. `message` is an
 * object, so that the same words said again are said anew. Answers the message, the function that
 * says one, and the ref its element takes (with tabIndex -1).
 */
export function useOutcome(): { message: { text: string } | null; say: (text: string, from?: Element | null) => void; ref: RefObject<HTMLParagraphElement | null> } {
  const [message, setMessage] = useState<{ text: string; from: Element | null } | null>(null);
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (!ref.current || !message) return;
    ref.current.scrollIntoView({ block: 'nearest' });
    const active = document.activeElement;
    if (active === null || active === document.body || (message.from !== null && active === message.from)) ref.current.focus();
  }, [message]);
  return { message, say: (text, from = null) => setMessage({ text, from }), ref };
}

/** Where `useOutcome`'s message is said: a status line that can take the focus. */
export function Outcome({ outcome }: { outcome: ReturnType<typeof useOutcome> }) {
  return outcome.message ? <p ref={outcome.ref} role="status" class="ok" tabIndex={-1}>{outcome.message.text}</p> : null;
}

/** The routes' path parameters, as their refusals name them. */
const PATH_PARAMETERS = new Set(['id', 'post', 'number', 'docId', 'seq', 'code']);

/**
 * A record's page that could not be shown: not readable by the user (nothing about it is said), not
 * there (or its address names none), or not loaded; `back`: the list it belongs to.
 */
export function NotShown({ failure, what, back }: { failure: ApiError; what: string; back?: { href: string; text: string } }) {
  // A 400 about the address itself (an id that is no id, a post code that is none: a link cut short
  // or mistyped) names no record: said as such, not as the API's check of a path parameter.
  const errors = failure.problem.errors ?? [];
  const badAddress = failure.status === 400 && errors.length > 0 && errors.every((e) => PATH_PARAMETERS.has(e.field));
  return (
    <section class="card" aria-labelledby="refused-h">
      <h2 id="refused-h">{failure.status === 403 ? `You may not read this ${what}` : failure.status === 404 || badAddress ? `There is no such ${what}` : `The ${what} could not be loaded`}</h2>
      <p>{failure.status === 403 ? 'It is outside your clearance or need to know. Nothing about it is shown.' : badAddress ? `This address does not name a ${what}: the link may be cut short or mistyped.` : problemText(failure)}</p>
      {back && <p><a href={back.href}>{back.text}</a></p>}
    </section>
  );
}

/** A page the caller's roles do not open (`what` it is), said plainly, with the way back. */
export function Refused({ me, what, back }: { me: Me; what: string; back: { href: string; text: string } }) {
  return (
    <section class="card" aria-labelledby="refused-h">
      <h2 id="refused-h">You do not have access to this page</h2>
      <p>{what} is not open to your roles ({me.roles.map((role) => words(role)).join(', ')}). If you need it, ask an administrator.</p>
      <p><a href={back.href}>{back.text}</a></p>
    </section>
  );
}
