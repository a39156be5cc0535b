import { Link } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import { Problem } from '@kler/plugin-environments-common';
import { SeverityChip } from './ProblemsTable';

/** A compact list of problems with their proposed fixes, for cards. */
export const ProblemList = (props: { problems: Problem[] }) => {
  if (props.problems.length === 0) {
    return (
      <Typography variant="body2" color="textSecondary">
        No problems.
      </Typography>
    );
  }
  return (
    <Box component="ul" m={0} pl={0} style={{ listStyle: 'none' }}>
      {props.problems.map(problem => (
        <Box component="li" key={problem.id} mb={1}>
          <Box display="flex" alignItems="center" style={{ gap: 8 }}>
            <SeverityChip severity={problem.severity} />
            <Typography variant="body2">
              <strong>{problem.title}</strong>
            </Typography>
          </Box>
          <Typography variant="body2" color="textSecondary">
            {problem.explanation}
          </Typography>
          <Typography variant="body2">
            <strong>Proposed fix:</strong> {problem.proposedFix}
            {problem.consoleUrl && (
              <>
                {' '}
                <Link to={problem.consoleUrl}>Open in AWS console</Link>
              </>
            )}
            {problem.runUrl && (
              <>
                {' '}
                <Link to={problem.runUrl}>Open the run</Link>
              </>
            )}
          </Typography>
        </Box>
      ))}
    </Box>
  );
};
