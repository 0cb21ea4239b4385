// A menu drawn as a <details> (Columns, Export): Escape closes it with focus back on its button, and so does a click
// anywhere outside it. One hook, so every such menu closes the same way.
import { useEffect, useRef, type RefObject } from 'react';

export function useDismissibleMenu(): RefObject<HTMLDetailsElement | null> {
  const menuRef = useRef<HTMLDetailsElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const menu = menuRef.current;
      if (event.key !== 'Escape' || !menu?.open) return;
      menu.open = false;
      menu.querySelector('summary')?.focus();
    };
    const onPointer = (event: PointerEvent) => {
      const menu = menuRef.current;
      if (menu?.open && !menu.contains(event.target as Node)) menu.open = false;
    };
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', onPointer);
    return () => {
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', onPointer);
    };
  }, []);
  return menuRef;
}
