import Box from '@mui/material/Box';
import InputAdornment from '@mui/material/InputAdornment';
import TextField from '@mui/material/TextField';
import SearchIcon from '@mui/icons-material/Search';
import {
  ENVIRONMENT_AREAS,
  EnvironmentArea,
  EnvironmentSummary,
  PROBLEM_SEVERITIES,
  ProblemSeverity,
} from '@kler/plugin-environments-common';
import {
  AREA_LABELS,
  SEVERITY_LABELS,
  environmentTitle,
} from '../shared/labels';
import { OnCallFilters } from './useOnCallSearchParams';

/**
 * The text filter (services and problems) and the problem filters. Native
 * selects: keyboard-usable and announced by screen readers as they are.
 */
export const ProblemFilters = (props: {
  environments: EnvironmentSummary[];
  value: OnCallFilters;
  onChange: (value: Partial<OnCallFilters>) => void;
}) => {
  const { environments, value, onChange } = props;
  return (
    <Box
      role="search"
      aria-label="Filters"
      sx={{ display: 'flex', flexWrap: 'wrap', gap: 2, mb: 2 }}
    >
      <TextField
        label="Filter services and problems"
        size="small"
        value={value.text}
        onChange={e => onChange({ text: e.target.value })}
        sx={{ minWidth: 280, flex: '1 1 280px' }}
        InputProps={{
          startAdornment: (
            <InputAdornment position="start">
              <SearchIcon fontSize="small" />
            </InputAdornment>
          ),
        }}
        inputProps={{ 'data-testid': 'on-call-filter' }}
      />
      <TextField
        select
        label="Environment"
        size="small"
        value={value.environment ?? ''}
        onChange={e => onChange({ environment: e.target.value || undefined })}
        SelectProps={{ native: true }}
        InputLabelProps={{ shrink: true }}
        inputProps={{ 'aria-label': 'Filter by environment' }}
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
        size="small"
        value={value.area ?? ''}
        onChange={e =>
          onChange({
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
        size="small"
        value={value.minSeverity ?? ''}
        onChange={e =>
          onChange({
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
