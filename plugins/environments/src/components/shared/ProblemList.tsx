import { memo, useState } from 'react';
import { Link } from '@backstage/core-components';
import Box from '@mui/material/Box';
import ButtonBase from '@mui/material/ButtonBase';
import Collapse from '@mui/material/Collapse';
import Typography from '@mui/material/Typography';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import {
  groupProblemsByService,
  Problem,
} from '@kler/plugin-environments-common';
import { FixText } from './FixText';
import { AREA_LABELS } from './labels';
import { SeverityChip } from './SeverityChip';
import { useFrozenOrder, useHoldWhileInside } from './useFrozenOrder';

/** A DOM id for a problem id (which holds slashes and colons). */
function detailsId(problem: Problem): string {
  return `problem-${problem.id.replace(/[^A-Za-z0-9_-]/g, '_')}`;
}

/** The resource a problem is about, short: an ARN's last part. */
function subjectOf(problem: Problem): string {
  if (problem.serviceName) return problem.serviceName;
  if (!problem.resource) return '-';
  return problem.resource.split(/[:/]/).pop() ?? problem.resource;
}

const ProblemDetails = (props: { problem: Problem }) => {
  const { problem } = props;
  return (
    <Box
      id={detailsId(problem)}
      role="region"
      aria-label={`Details of ${problem.title}`}
      sx={{ pl: { xs: 1, md: 5 }, pr: 2, pb: 1.5, pt: 0.5 }}
    >
      <Typography variant="body2" color="text.secondary" paragraph>
        {problem.explanation}
      </Typography>
      <Typography variant="subtitle2" component="p">
        Proposed fix
      </Typography>
      <FixText fix={problem.proposedFix} />
      <Box sx={{ display: 'flex', gap: 2, mt: 1, flexWrap: 'wrap' }}>
        {problem.consoleUrl && (
          <Link
            to={problem.consoleUrl}
            aria-label={`Open in AWS console: ${problem.title}`}
          >
            Open in AWS console
          </Link>
        )}
        {problem.runUrl && (
          <Link
            to={problem.runUrl}
            aria-label={`Open the run of ${problem.title}`}
          >
            Open the run
          </Link>
        )}
        {problem.resource && problem.resource !== problem.serviceName && (
          <Typography
            variant="caption"
            color="text.secondary"
            sx={{ wordBreak: 'break-all' }}
          >
            {AREA_LABELS[problem.area]} · {problem.resource}
          </Typography>
        )}
      </Box>
    </Box>
  );
};

/**
 * One problem on one line (severity, environment, service, title) that opens
 * to its explanation, proposed fix and links. A button, so Enter and Space
 * open it; `aria-expanded` says whether it is open.
 */
export const ProblemRow = memo(
  (props: {
    problem: Problem;
    expanded: boolean;
    onToggle: (problem: Problem) => void;
    showEnvironment?: boolean;
    showService?: boolean;
    /** Gone from the latest answer; kept while the reader is on the list. */
    gone?: boolean;
    /** Under its service's heading: the service column stays, empty, for alignment. */
    grouped?: boolean;
  }) => {
    const {
      problem,
      expanded,
      onToggle,
      showEnvironment = true,
      showService = true,
      gone = false,
      grouped = false,
    } = props;
    const columns = [
      '20px',
      '100px',
      ...(showEnvironment ? ['120px'] : []),
      ...(showService ? ['minmax(0, 200px)'] : []),
      'minmax(0, 1fr)',
    ].join(' ');
    return (
      <Box
        component="li"
        data-problem-id={problem.id}
        sx={{
          borderBottom: 1,
          borderColor: 'divider',
          opacity: gone ? 0.6 : 1,
        }}
      >
        <ButtonBase
          // The outline below shows focus; no ripple to mount on every line.
          disableRipple
          aria-expanded={expanded}
          aria-controls={detailsId(problem)}
          onClick={() => onToggle(problem)}
          sx={{
            width: '100%',
            display: 'grid',
            gridTemplateColumns: columns,
            alignItems: 'center',
            columnGap: 1.5,
            px: 1,
            py: 0.75,
            textAlign: 'left',
            '&:hover': { bgcolor: 'action.hover' },
            '&.Mui-focusVisible': {
              outline: 2,
              outlineColor: 'primary.main',
              outlineOffset: -2,
            },
          }}
        >
          <ExpandMoreIcon
            fontSize="small"
            aria-hidden
            sx={{
              transform: expanded ? 'rotate(180deg)' : 'none',
              transition: 'transform 150ms',
            }}
          />
          <SeverityChip severity={problem.severity} />
          {showEnvironment && (
            <Typography variant="body2" noWrap>
              {problem.environment}
            </Typography>
          )}
          {showService && (
            <Typography variant="body2" noWrap title={problem.resource}>
              {grouped ? '' : subjectOf(problem)}
            </Typography>
          )}
          <Typography variant="body2" sx={{ fontWeight: 500 }}>
            {problem.title}
            {gone && ' (resolved)'}
          </Typography>
        </ButtonBase>
        <Collapse in={expanded} unmountOnExit timeout={150}>
          <ProblemDetails problem={problem} />
        </Collapse>
      </Box>
    );
  },
);

/** Which problems are open: controlled by the caller (the URL) or kept here. */
export interface ProblemExpansion {
  expanded: ReadonlySet<string>;
  onToggle: (problem: Problem) => void;
}

function useLocalExpansion(): ProblemExpansion {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  return {
    expanded,
    onToggle: problem =>
      setExpanded(previous => {
        const next = new Set(previous);
        if (!next.delete(problem.id)) next.add(problem.id);
        return next;
      }),
  };
}

/**
 * Problems worst first, one line each, grouped by service when several
 * concern it. Open problems stay open across refreshes (they are kept by id),
 * and while the pointer or focus is on the list its order does not change.
 */
export const ProblemList = (props: {
  problems: Problem[];
  /** An accessible name for the list. */
  label?: string;
  showEnvironment?: boolean;
  /** False where every problem is of one service (the service's own panel). */
  showService?: boolean;
  emptyText?: string;
  expansion?: ProblemExpansion;
}) => {
  const {
    problems,
    label = 'Problems',
    showEnvironment = true,
    showService = true,
    emptyText = 'No problems.',
  } = props;
  const local = useLocalExpansion();
  const { expanded, onToggle } = props.expansion ?? local;
  const [frozen, setFrozen] = useState(false);
  const hold = useHoldWhileInside(setFrozen);
  const ordered = useFrozenOrder(problems, p => p.id, frozen);

  if (ordered.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary" sx={{ py: 1 }}>
        {emptyText}
      </Typography>
    );
  }
  const gone = new Set(ordered.filter(o => o.gone).map(o => o.item.id));
  const groups = groupProblemsByService(ordered.map(o => o.item));
  const row = (problem: Problem, inGroup: boolean) => (
    <ProblemRow
      key={problem.id}
      problem={problem}
      expanded={expanded.has(problem.id)}
      onToggle={onToggle}
      showEnvironment={showEnvironment}
      showService={showService}
      grouped={inGroup}
      gone={gone.has(problem.id)}
    />
  );
  return (
    <Box
      component="ul"
      aria-label={label}
      sx={{ listStyle: 'none', m: 0, p: 0 }}
      {...hold}
    >
      {groups.map(group =>
        showService && group.serviceName && group.problems.length > 1 ? (
          <Box component="li" key={`service:${group.serviceName}`}>
            <Typography
              variant="subtitle2"
              component="h3"
              sx={{ px: 1, pt: 1.5, pb: 0.5 }}
            >
              {group.serviceName} · {group.problems.length} problems
            </Typography>
            <Box
              component="ul"
              aria-label={`Problems of ${group.serviceName}`}
              sx={{ listStyle: 'none', m: 0, p: 0 }}
            >
              {group.problems.map(problem => row(problem, true))}
            </Box>
          </Box>
        ) : (
          group.problems.map(problem => row(problem, false))
        ),
      )}
    </Box>
  );
};
