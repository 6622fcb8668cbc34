// "Show me": brings a field into view and gives it the keyboard focus, after the tab that holds it has rendered.
import { nextTick } from 'vue';

const selectorOf = (testid: string) => `[data-testid="${testid.replace(/["\\]/g, '\\$&')}"]`;

/** Focuses the element with this data-testid (scrolled to the middle of the view, briefly highlighted). */
export async function focusField(testid: string): Promise<boolean> {
  await nextTick();
  await nextTick();
  const el = document.querySelector<HTMLElement>(selectorOf(testid));
  if (!el) return false;
  el.scrollIntoView?.({ block: 'center' });
  el.focus({ preventScroll: true });
  el.classList.add('flash');
  setTimeout(() => el.classList.remove('flash'), 1600);
  return true;
}
