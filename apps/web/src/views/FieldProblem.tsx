import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { type ApiError, problemText } from '../api.js';

/** The id of the words that say what is wrong with the control at `place` (its id). */
const problemId = (place: string) => `${place}-problem`;

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
 * What an action came to, said as a status that takes the focus when the action's own control went
 * with it (a report's form closes once it is logged), so that the keyboard does not start again at
 * the top of the page. `message` is an object, so that the same words said again are said anew.
 * Answers the message, the function that says one, and the ref its element takes (with tabIndex -1).
 */
export function useOutcome(): { message: { text: string } | null; say: (text: string) => void; ref: RefObject<HTMLParagraphElement | null> } {
  const [message, setMessage] = useState<{ text: string } | null>(null);
  const ref = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    ref.current.scrollIntoView({ block: 'nearest' });
    if (document.activeElement === null || document.activeElement === document.body) ref.current.focus();
  }, [message]);
  return { message, say: (text) => setMessage({ text }), ref };
}

/** Where `useOutcome`'s message is said: a status line that can take the focus. */
export function Outcome({ outcome }: { outcome: ReturnType<typeof useOutcome> }) {
  return outcome.message ? <p ref={outcome.ref} role="status" class="ok" tabIndex={-1}>{outcome.message.text}</p> : null;
}

/**
 * A record's page that could not be shown: not readable by the user (nothing about it is said), not
 * there, or not loaded; `back`: the list it belongs to.
 */
export function NotShown({ failure, what, back }: { failure: ApiError; what: string; back?: { href: string; text: string } }) {
  return (
    <section class="card" aria-labelledby="refused-h">
      <h2 id="refused-h">{failure.status === 403 ? `You may not read this ${what}` : failure.status === 404 ? `There is no such ${what}` : `The ${what} could not be loaded`}</h2>
      <p>{failure.status === 403 ? 'It is outside your clearance or need to know. Nothing about it is shown.' : problemText(failure)}</p>
      {back && <p><a href={back.href}>{back.text}</a></p>}
    </section>
  );
}
