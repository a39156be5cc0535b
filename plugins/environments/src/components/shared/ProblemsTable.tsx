import { Link, Table, TableColumn } from '@backstage/core-components';
import { Chip, Typography } from '@material-ui/core';
import { makeStyles, Theme } from '@material-ui/core/styles';
import { Problem, ProblemSeverity } from '@kler/plugin-environments-common';
import { AREA_LABELS, SEVERITY_LABELS } from './labels';

const severityColor = (theme: Theme, severity: ProblemSeverity) => {
  switch (severity) {
    case 'critical':
    case 'high':
      return theme.palette.error;
    case 'medium':
      return theme.palette.warning;
    default:
      return theme.palette.info;
  }
};

const useStyles = makeStyles(theme => ({
  chip: (props: { severity: ProblemSeverity }) => ({
    backgroundColor: severityColor(theme, props.severity).main,
    color: severityColor(theme, props.severity).contrastText,
    fontWeight: props.severity === 'critical' ? 700 : 400,
  }),
}));

export const SeverityChip = (props: { severity: ProblemSeverity }) => {
  const classes = useStyles(props);
  return (
    <Chip
      size="small"
      className={classes.chip}
      label={SEVERITY_LABELS[props.severity]}
      aria-label={`Severity: ${SEVERITY_LABELS[props.severity]}`}
    />
  );
};

const ProblemDetails = (props: { problem: Problem }) => {
  const { problem } = props;
  return (
    <>
      <Typography variant="body2">
        <strong>{problem.title}</strong>
      </Typography>
      <Typography variant="body2" color="textSecondary">
        {problem.explanation}
      </Typography>
      <Typography variant="body2">
        <strong>Proposed fix:</strong> {problem.proposedFix}
      </Typography>
      {problem.consoleUrl && (
        <Link
          to={problem.consoleUrl}
          aria-label={`Open ${problem.title} in the AWS console`}
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
    </>
  );
};

/** Problems as given (the backend sends them worst first), with fixes and console links. */
export const ProblemsTable = (props: {
  problems: Problem[];
  title?: string;
  /** Hide the environment column when every problem is of one environment. */
  showEnvironment?: boolean;
  emptyText?: string;
}) => {
  const {
    problems,
    title = 'Problems',
    showEnvironment = true,
    emptyText = 'No problems found.',
  } = props;
  const columns: TableColumn<Problem>[] = [
    {
      title: 'Severity',
      field: 'severity',
      width: '110px',
      render: problem => <SeverityChip severity={problem.severity} />,
      // keep the backend's worst-first order; sorting by text would be alphabetical
      sorting: false,
    },
    ...(showEnvironment
      ? [{ title: 'Environment', field: 'environment', width: '130px' }]
      : []),
    {
      title: 'Area',
      field: 'area',
      width: '170px',
      render: problem => AREA_LABELS[problem.area],
    },
    {
      title: 'Service / resource',
      field: 'serviceName',
      width: '160px',
      render: problem => {
        if (problem.serviceName) return problem.serviceName;
        if (!problem.resource) return '-';
        // ARNs are long; their last part names the resource
        const shortName = problem.resource.split(/[:/]/).pop();
        return <span title={problem.resource}>{shortName}</span>;
      },
    },
    {
      title: 'Problem',
      field: 'title',
      render: problem => <ProblemDetails problem={problem} />,
    },
  ];
  return (
    <Table<Problem>
      title={title}
      columns={columns}
      data={problems}
      options={{
        paging: problems.length > 20,
        pageSize: 20,
        search: false,
        padding: 'dense',
      }}
      emptyContent={
        <Typography variant="body2" style={{ padding: 16 }}>
          {emptyText}
        </Typography>
      }
    />
  );
};
