import { useEffect } from 'react';
import { navigate } from './router.ts';

/** Replaces the address (so Back does not bounce) once rendered. */
export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
