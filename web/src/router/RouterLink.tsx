import type { AnchorProps } from '@mantine/core';
import { Anchor } from '@mantine/core';
import type { MouseEvent, ReactNode } from 'react';
import { followLink } from './router.ts';

interface RouterLinkProps extends AnchorProps {
  to: string;
  children: ReactNode;
}

/** A real link (it opens in a new tab too) that moves inside the console without reloading. */
export function RouterLink({ to, children, ...props }: RouterLinkProps) {
  function onClick(event: MouseEvent<HTMLAnchorElement>) {
    followLink(event, to);
  }
  return (
    <Anchor href={to} onClick={onClick} {...props}>
      {children}
    </Anchor>
  );
}
