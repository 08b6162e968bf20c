/**
 * A form's save refused because the record changed since the form read it (412, `If-Match`): what
 * was typed stays in the form, and the latest is read only when asked, which replaces it.
 */
export function StaleNotice({ onReload }: { onReload: () => void }) {
  return (
    <div class="error" role="alert">
      <p>Not saved: someone changed this since you opened it. Your changes are kept here; reload to see theirs (the form then shows the latest, without your changes: copy what you want to keep).</p>
      <p><button type="button" onClick={onReload}>Reload the latest</button></p>
    </div>
  );
}
