// An actions menu (the WAI-ARIA menu button pattern): a button with aria-haspopup="menu" opens a
// role="menu" list of role="menuitem" buttons. Enter, Space or ArrowDown open it on the first
// item, ArrowUp on the last; ArrowUp/ArrowDown/Home/End move, Escape closes and the focus goes back
// to the button, Tab or a click elsewhere closes it. The menu is placed in <body> so no scrolling
// table clips it; only one is open at a time.
import { h, uid } from './dom.js';
import { whileBusy } from './ui.js';

let openMenu = null;

/**
 * label: the button's accessible name ("More actions for version v1 of Drones").
 * items: [{label, onSelect, danger, disabled, action}] (null entries are skipped).
 * Returns the button; an empty item list returns null.
 */
export function menuButton(label, items, { className = '', text = '⋯', dataset = {} } = {}) {
  const entries = items.filter(Boolean);
  if (!entries.length) return null;
  const menuId = uid('menu');
  const trigger = h('button', {
    type: 'button', class: `btn btn-small btn-icon menu-button ${className}`.trim(), 'aria-haspopup': 'menu',
    'aria-expanded': 'false', 'aria-controls': menuId, 'aria-label': label, title: label, dataset,
  }, h('span', { 'aria-hidden': 'true' }, text));

  let menu = null;
  let buttons = [];

  const close = ({ focus = true } = {}) => {
    if (!menu) return;
    menu.remove();
    menu = null;
    buttons = [];
    trigger.setAttribute('aria-expanded', 'false');
    document.removeEventListener('pointerdown', onOutside, true);
    window.removeEventListener('resize', onResize);
    if (openMenu && openMenu.trigger === trigger) openMenu = null;
    if (focus && trigger.isConnected) trigger.focus();
  };
  const onOutside = (e) => {
    if (menu && !menu.contains(e.target) && !trigger.contains(e.target)) close({ focus: false });
  };
  const onResize = () => close({ focus: false });
  const focusAt = (i) => {
    const enabled = buttons.filter((b) => b.getAttribute('aria-disabled') !== 'true');
    const list = enabled.length ? enabled : buttons;
    const n = list.length;
    list[((i % n) + n) % n].focus();
  };

  const open = (where = 'first') => {
    if (openMenu && openMenu.trigger !== trigger) openMenu.close({ focus: false });
    if (menu) return;
    buttons = entries.map((item) => h('button', {
      type: 'button', role: 'menuitem', tabindex: '-1',
      class: `menu-item${item.danger ? ' menu-item-danger' : ''}`,
      'aria-disabled': item.disabled ? 'true' : null,
      title: item.disabled && item.reason ? item.reason : null,
      'data-menu-action': item.action || null,
      onclick: async (e) => {
        if (item.disabled) return;
        e.preventDefault();
        close();
        // The menu's own button stays disabled while what the item started runs.
        await whileBusy(trigger, () => item.onSelect());
      },
    }, item.label));
    menu = h('div', { id: menuId, role: 'menu', class: 'menu', 'aria-label': label, tabindex: '-1' }, buttons);
    menu.addEventListener('keydown', (e) => {
      const enabled = buttons.filter((b) => b.getAttribute('aria-disabled') !== 'true');
      const list = enabled.length ? enabled : buttons;
      const i = list.indexOf(document.activeElement);
      if (e.key === 'ArrowDown') {
        e.preventDefault();
        focusAt(i + 1);
      } else if (e.key === 'ArrowUp') {
        e.preventDefault();
        focusAt(i - 1);
      } else if (e.key === 'Home') {
        e.preventDefault();
        focusAt(0);
      } else if (e.key === 'End') {
        e.preventDefault();
        focusAt(list.length - 1);
      } else if (e.key === 'Escape') {
        e.preventDefault();
        e.stopPropagation();
        close();
      } else if (e.key === 'Tab') {
        close({ focus: false });
        trigger.focus();
      }
    });
    document.body.append(menu);
    const r = trigger.getBoundingClientRect();
    const width = menu.offsetWidth;
    const left = Math.max(8, Math.min(r.right - width, window.innerWidth - width - 8));
    let top = r.bottom + 4;
    if (top + menu.offsetHeight > window.innerHeight - 8 && r.top - menu.offsetHeight - 4 > 8) top = r.top - menu.offsetHeight - 4;
    menu.style.left = `${left + window.scrollX}px`;
    menu.style.top = `${top + window.scrollY}px`;
    trigger.setAttribute('aria-expanded', 'true');
    openMenu = { trigger, close };
    document.addEventListener('pointerdown', onOutside, true);
    window.addEventListener('resize', onResize);
    focusAt(where === 'last' ? -1 : 0);
  };

  trigger.addEventListener('click', () => (menu ? close() : open('first')));
  trigger.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      open('first');
    } else if (e.key === 'ArrowUp') {
      e.preventDefault();
      open('last');
    }
  });
  return trigger;
}

/** Closes the open menu, if any (a page that re-renders calls it). */
export function closeMenus() {
  if (openMenu) openMenu.close({ focus: false });
}
