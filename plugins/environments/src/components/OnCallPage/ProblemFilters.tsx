import { Box, TextField } from '@material-ui/core';
import {
  ENVIRONMENT_AREAS,
  EnvironmentArea,
  PROBLEM_SEVERITIES,
  EnvironmentSummary,
  ProblemSeverity,
} from '@kler/plugin-environments-common';
import { ProblemQuery } from '../../api';
import {
  AREA_LABELS,
  SEVERITY_LABELS,
  environmentTitle,
} from '../shared/labels';

/** Native selects: keyboard-usable and announced by screen readers as they are. */
export const ProblemFilters = (props: {
  environments: EnvironmentSummary[];
  value: ProblemQuery;
  onChange: (value: ProblemQuery) => void;
}) => {
  const { environments, value, onChange } = props;
  return (
    <Box display="flex" flexWrap="wrap" style={{ gap: 16 }} mb={2}>
      <TextField
        select
        label="Environment"
        variant="outlined"
        size="small"
        value={value.environment ?? ''}
        onChange={e =>
          onChange({ ...value, environment: e.target.value || undefined })
        }
        SelectProps={{ native: true }}
        InputLabelProps={{ shrink: true }}
        inputProps={{ 'aria-label': 'Filter problems by environment' }}
      >
        <option value="">All environments</option>
        {environments.map(environment => (
          <option key={environment.name} value={environment.name}>
            {environmentTitle(environment)}
          </option>
        ))}
      </TextField>
      <TextField
        select
        label="Area"
        variant="outlined"
        size="small"
        value={value.area ?? ''}
        onChange={e =>
          onChange({
            ...value,
            area: (e.target.value || undefined) as EnvironmentArea | undefined,
          })
        }
        SelectProps={{ native: true }}
        InputLabelProps={{ shrink: true }}
        inputProps={{ 'aria-label': 'Filter problems by area' }}
      >
        <option value="">All areas</option>
        {ENVIRONMENT_AREAS.map(area => (
          <option key={area} value={area}>
            {AREA_LABELS[area]}
          </option>
        ))}
      </TextField>
      <TextField
        select
        label="Minimum severity"
        variant="outlined"
        size="small"
        value={value.minSeverity ?? ''}
        onChange={e =>
          onChange({
            ...value,
            minSeverity: (e.target.value || undefined) as
              | ProblemSeverity
              | undefined,
          })
        }
        SelectProps={{ native: true }}
        InputLabelProps={{ shrink: true }}
        inputProps={{ 'aria-label': 'Filter problems by minimum severity' }}
      >
        <option value="">Any severity</option>
        {PROBLEM_SEVERITIES.map(severity => (
          <option key={severity} value={severity}>
            {SEVERITY_LABELS[severity]} or worse
          </option>
        ))}
      </TextField>
    </Box>
  );
};
