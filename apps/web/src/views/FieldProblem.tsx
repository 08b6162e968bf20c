import { useEffect, useState } from 'preact/hooks';

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
